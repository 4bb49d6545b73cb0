"""Evidence that stays evidence outside Loujian: each stamped copy a desk exports carries a C2PA
manifest (Content Credentials, c2pa-python) signed with the server's key. The manifest says what
the photo is evidence of — building, indicator, check item, surveyor, capture time and place, the
server's receipt time and the SHA-256 of the original the phone uploaded (which Loujian keeps) —
and any C2PA reader, or `flask photos verify`, tells whether the file changed since.

The key: a bureau's own certificate chain and key (LOUJIAN_C2PA_CERT, LOUJIAN_C2PA_KEY, PEM; the
chain's last certificate is the trust anchor) or, by default, made at first use in the instance
folder: a small local CA (ES256, P-256) that issues one end-entity signing certificate (digital
signature, e-mail protection EKU, as C2PA validators require), after which the CA's key is
thrown away. Plain functions; no request objects.
"""
import io
import os
import tempfile
from dataclasses import dataclass
from datetime import datetime, timedelta, timezone
from pathlib import Path

import c2pa
from cryptography import x509
from cryptography.hazmat.primitives import hashes, serialization
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.x509.oid import ExtendedKeyUsageOID, NameOID
from PIL import Image, UnidentifiedImageError

from sync.china_time import CHINA_TIME

EVIDENCE_LABEL = "cn.loujian.evidence"
CHAIN_FILE, KEY_FILE, ANCHOR_FILE = "signer-chain.pem", "signer-key.pem", "trust-anchor.pem"
VALIDITY = timedelta(days=20 * 365)
DIGITAL_CAPTURE = "http://cv.iptc.org/newscodes/digitalsourcetype/digitalCapture"
UNTRUSTED_CREDENTIAL = "signingCredential.untrusted"  # a sound signature by someone else
SIGNING_SETTINGS = {"builder": {"thumbnail": {"enabled": False}}}  # the copy is its own preview

AUTHENTIC, UNTRUSTED, TAMPERED, NO_MANIFEST, NOT_AN_IMAGE = (
    "authentic", "untrusted", "tampered", "no_manifest", "not_an_image")
VERDICTS = {
    AUTHENTIC: "未被改动：这是楼检签名的证据照片，签名以来文件内容没有任何变化。",
    UNTRUSTED: "签名本身完整，但不是本系统的证书签的，不能证明它来自楼检。",
    TAMPERED: "文件已被改动：内容与楼检的签名对不上（或签名数据被改过），不能作为证据。",
    NO_MANIFEST: "这张图片没有内容凭证（C2PA 签名），无法证明它来自楼检，也无法判断是否被改动过。"
                 "请使用从楼检导出的“标注”照片。",
    NOT_AN_IMAGE: "这不是图片文件（或是不支持的格式），无法核验。",
}


@dataclass(frozen=True)
class Evidence:
    """What a stamped copy is evidence of."""
    building: str
    indicator: int
    check_item: str
    surveyor: str
    captured_at: datetime | None
    latitude: float | None
    longitude: float | None
    received_at: datetime
    original_sha256: str
    after_rectification: bool = False


@dataclass(frozen=True)
class Credentials:
    chain_pem: bytes  # the signing certificate first, then its issuers
    key_pem: bytes
    anchor_pem: bytes  # what a verifier trusts: the chain's root


@dataclass(frozen=True)
class Verdict:
    status: str
    message: str
    evidence: dict | None = None
    problems: tuple[str, ...] = ()

    @property
    def evidence_lines(self) -> list[tuple[str, str]]:
        return evidence_lines(self.evidence) if self.evidence else []

    @property
    def lines(self) -> list[str]:
        """The verdict, then what the file says it is evidence of (vouched for only when
        authentic), in Chinese."""
        lines = [self.message]
        if self.evidence_lines and self.status != AUTHENTIC:
            lines.append("以下为文件中声称的内容，未经证实：")
        lines += [f"{label}：{value}" for label, value in self.evidence_lines]
        lines += [f"技术细节：{problem}" for problem in self.problems]
        return lines


# The key and certificates

def load_credentials(folder: str | os.PathLike, cert_path: str | None = None,
                     key_path: str | None = None) -> Credentials:
    """The bureau's own chain and key when both are configured; else the instance's, made now
    if there are none yet."""
    if cert_path or key_path:
        if not (cert_path and key_path):
            raise ValueError("LOUJIAN_C2PA_CERT 与 LOUJIAN_C2PA_KEY 须同时设置")
        chain = Path(cert_path).read_bytes()
        certificates = x509.load_pem_x509_certificates(chain)
        return Credentials(chain, Path(key_path).read_bytes(),
                           certificates[-1].public_bytes(serialization.Encoding.PEM))
    folder = Path(folder)
    if not (folder / KEY_FILE).exists():
        _make_local_credentials(folder)
    return Credentials(*((folder / name).read_bytes() for name in (CHAIN_FILE, KEY_FILE,
                                                                    ANCHOR_FILE)))


def _make_local_credentials(folder: Path) -> None:
    """A local CA and a signing certificate it issues, written to a new folder that is then
    renamed into place: several workers starting at once end up sharing one key."""
    now = datetime.now(timezone.utc)
    ca_key, key = ec.generate_private_key(ec.SECP256R1()), ec.generate_private_key(ec.SECP256R1())
    ca_name, signer_name = _name("楼检本地证书机构"), _name("楼检证据照片签名")
    ca = _certificate(ca_name, ca_name, ca_key.public_key(), ca_key, now, ca=True)
    signer = _certificate(signer_name, ca_name, key.public_key(), ca_key, now, ca=False)
    pem = serialization.Encoding.PEM
    folder.parent.mkdir(parents=True, exist_ok=True)
    staging = Path(tempfile.mkdtemp(prefix=".c2pa-", dir=folder.parent))
    (staging / CHAIN_FILE).write_bytes(signer.public_bytes(pem) + ca.public_bytes(pem))
    (staging / ANCHOR_FILE).write_bytes(ca.public_bytes(pem))
    key_file = staging / KEY_FILE
    key_file.write_bytes(key.private_bytes(pem, serialization.PrivateFormat.PKCS8,
                                           serialization.NoEncryption()))
    key_file.chmod(0o600)
    try:
        staging.rename(folder)
    except OSError:  # another worker was first: use its key
        for child in staging.iterdir():
            child.unlink()
        staging.rmdir()


def _name(common_name: str) -> x509.Name:
    return x509.Name([x509.NameAttribute(NameOID.COUNTRY_NAME, "CN"),
                      x509.NameAttribute(NameOID.ORGANIZATION_NAME, "楼检"),
                      x509.NameAttribute(NameOID.COMMON_NAME, common_name)])


def _certificate(subject, issuer, public_key, issuer_key, now, *, ca: bool) -> x509.Certificate:
    usage = dict.fromkeys(("digital_signature", "content_commitment", "key_encipherment",
                           "data_encipherment", "key_agreement", "key_cert_sign", "crl_sign",
                           "encipher_only", "decipher_only"), False)
    usage.update({"key_cert_sign": True, "crl_sign": True} if ca else {"digital_signature": True})
    builder = (x509.CertificateBuilder().subject_name(subject).issuer_name(issuer)
               .public_key(public_key).serial_number(x509.random_serial_number())
               .not_valid_before(now - timedelta(days=1)).not_valid_after(now + VALIDITY)
               .add_extension(x509.BasicConstraints(ca=ca, path_length=0 if ca else None), True)
               .add_extension(x509.KeyUsage(**usage), critical=True)
               .add_extension(x509.SubjectKeyIdentifier.from_public_key(public_key), False))
    if not ca:
        builder = (builder
                   .add_extension(x509.ExtendedKeyUsage([ExtendedKeyUsageOID.EMAIL_PROTECTION]),
                                  critical=False)
                   .add_extension(x509.AuthorityKeyIdentifier.from_issuer_public_key(
                       issuer_key.public_key()), critical=False))
    return builder.sign(issuer_key, hashes.SHA256())


# Signing

def make_signer(credentials: Credentials) -> c2pa.Signer:
    """Reusable for many copies; close it when done (`with make_signer(...) as signer`)."""
    return c2pa.Signer.from_info(c2pa.C2paSignerInfo(
        "es256", credentials.chain_pem, credentials.key_pem, None))


def sign_jpeg(jpeg: bytes, evidence: Evidence, signer: c2pa.Signer) -> bytes:
    """The JPEG with a signed manifest of what it is evidence of embedded."""
    manifest = {
        "claim_generator_info": [{"name": "楼检 Loujian"}],
        "title": f"{evidence.building} 指标{evidence.indicator} {evidence.check_item}",
        "assertions": [
            {"label": "c2pa.actions.v2", "data": {"actions": [
                {"action": "c2pa.created", "digitalSourceType": DIGITAL_CAPTURE},
                {"action": "c2pa.edited",
                 "description": "楼检加印拍摄时间、地点、楼栋、拍摄人和照片编号（原图未改动，另存）"}]}},
            {"label": EVIDENCE_LABEL, "data": evidence_assertion(evidence)}]}
    signed = io.BytesIO()
    with c2pa.Context(c2pa.Settings.from_dict(SIGNING_SETTINGS)) as context, \
            c2pa.Builder(manifest, context=context) as builder:
        builder.sign(signer, "image/jpeg", io.BytesIO(jpeg), signed)
    return signed.getvalue()


def evidence_assertion(evidence: Evidence) -> dict:
    def moment(value):
        return value.astimezone(timezone.utc).isoformat() if value is not None else None
    return {"building": evidence.building, "indicator": evidence.indicator,
            "check_item": evidence.check_item, "surveyor": evidence.surveyor,
            "captured_at": moment(evidence.captured_at), "latitude": evidence.latitude,
            "longitude": evidence.longitude, "received_at": moment(evidence.received_at),
            "original_sha256": evidence.original_sha256,
            "after_rectification": evidence.after_rectification}


# Verifying

def verify(data: bytes, anchor_pem: bytes) -> Verdict:
    """Whether the file is unaltered since Loujian (the key `anchor_pem` vouches for) signed
    it, and what it is evidence of. Never raises on bad input."""
    try:
        with Image.open(io.BytesIO(data)) as image:
            image.verify()
            mime = Image.MIME.get(image.format)
    except (UnidentifiedImageError, OSError, SyntaxError, ValueError, Image.DecompressionBombError):
        return Verdict(NOT_AN_IMAGE, VERDICTS[NOT_AN_IMAGE])
    settings = {"trust": {"trust_anchors": anchor_pem.decode(), "verify_trust_list": True}}
    try:
        with c2pa.Context(c2pa.Settings.from_dict(settings)) as context:
            reader = c2pa.Reader.try_create(mime or "image/jpeg", io.BytesIO(data),
                                            context=context)
            if reader is None:
                return Verdict(NO_MANIFEST, VERDICTS[NO_MANIFEST])
            with reader:
                state = reader.get_validation_state()
                failures = _failures(reader.get_validation_results())
                manifest = reader.get_active_manifest() or {}
    except c2pa.C2paError.NotSupported:
        return Verdict(NOT_AN_IMAGE, VERDICTS[NOT_AN_IMAGE])
    except c2pa.C2paError as error:  # a manifest that cannot even be read: damaged or forged
        return Verdict(TAMPERED, VERDICTS[TAMPERED], problems=(_first_line(error),))
    evidence = next((a["data"] for a in manifest.get("assertions", ())
                     if a.get("label") == EVIDENCE_LABEL), None)
    if state == "Trusted" and not failures and evidence is not None:
        return Verdict(AUTHENTIC, VERDICTS[AUTHENTIC], evidence=evidence)
    altered = [f for f in failures if not f.startswith(UNTRUSTED_CREDENTIAL)]
    if altered:
        return Verdict(TAMPERED, VERDICTS[TAMPERED], problems=tuple(altered))
    return Verdict(UNTRUSTED, VERDICTS[UNTRUSTED], evidence=evidence, problems=tuple(failures))


def _failures(results: dict | None) -> list[str]:
    active = (results or {}).get("activeManifest") or {}
    return [f"{item.get('code')}（{item.get('explanation', '')}）"
            for item in active.get("failure", ())]


def _first_line(error: Exception) -> str:
    return str(error).strip().splitlines()[0][:200] if str(error).strip() else type(error).__name__


def evidence_lines(evidence: dict) -> list[tuple[str, str]]:
    """(label, value) of an evidence assertion, for people."""
    def moment(value):
        if not value:
            return "未知"
        return datetime.fromisoformat(value).astimezone(CHINA_TIME).strftime(
            "%Y-%m-%d %H:%M:%S（北京时间）")

    lat, lon = evidence.get("latitude"), evidence.get("longitude")
    place = f"{lat:.5f}, {lon:.5f}" if isinstance(lat, (int, float)) and isinstance(
        lon, (int, float)) else "未知"
    return [("楼栋", evidence.get("building", "")),
            ("指标", f"指标{evidence.get('indicator', '')}"),
            ("检查项", evidence.get("check_item", "")
             + ("（整改后照片）" if evidence.get("after_rectification") else "")),
            ("拍摄人", evidence.get("surveyor", "")),
            ("拍摄时间", moment(evidence.get("captured_at"))),
            ("拍摄地点", place),
            ("服务器接收时间", moment(evidence.get("received_at"))),
            ("原图 SHA-256", evidence.get("original_sha256", ""))]
