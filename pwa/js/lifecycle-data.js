// Generated from sync/lifecycle.py by `python -m sync.tools.make_lifecycle_files`: do not edit.
// The finding's states and moves; pwa/js/lifecycle.js reads them.
export default {
  "states": {
    "pending": "待审核",
    "accepted": "已确认",
    "returned": "已退回",
    "resurvey": "需复查",
    "rectifying": "整改中",
    "rectified": "已整改",
    "verified": "已销项"
  },
  "initial": "pending",
  "sets": {
    "confirmed": [
      "accepted",
      "rectifying",
      "rectified",
      "verified"
    ],
    "completed": [
      "verified"
    ],
    "sent_back": [
      "returned",
      "resurvey"
    ],
    "editable": [
      "pending",
      "returned",
      "resurvey"
    ],
    "awaiting_rectification": [
      "accepted",
      "rectifying"
    ],
    "open": [
      "pending",
      "accepted",
      "returned",
      "resurvey",
      "rectifying",
      "rectified"
    ],
    "carried_over": [
      "pending",
      "accepted",
      "resurvey",
      "rectifying",
      "rectified"
    ],
    "in_problem_lists": [
      "accepted",
      "rectifying",
      "rectified"
    ],
    "in_finding_ledger": [
      "pending",
      "accepted",
      "resurvey",
      "rectifying",
      "rectified",
      "verified"
    ],
    "reported_fixed": [
      "rectified",
      "verified"
    ]
  },
  "decisions": {
    "accept": {
      "label": "确认",
      "allowed_from": [
        "pending"
      ],
      "leads_to": "accepted",
      "needs_reason": false,
      "sets_deadline": false
    },
    "return": {
      "label": "退回",
      "allowed_from": [
        "pending"
      ],
      "leads_to": "returned",
      "needs_reason": true,
      "sets_deadline": false
    },
    "resurvey": {
      "label": "需复查",
      "allowed_from": [
        "pending",
        "accepted"
      ],
      "leads_to": "resurvey",
      "needs_reason": true,
      "sets_deadline": false
    },
    "rectify": {
      "label": "下达整改",
      "allowed_from": [
        "accepted"
      ],
      "leads_to": "rectifying",
      "needs_reason": false,
      "sets_deadline": true
    },
    "deadline": {
      "label": "调整整改时限",
      "allowed_from": [
        "accepted",
        "rectifying"
      ],
      "leads_to": null,
      "needs_reason": true,
      "sets_deadline": true
    },
    "reject_rectification": {
      "label": "整改不合格",
      "allowed_from": [
        "rectified"
      ],
      "leads_to": "rectifying",
      "needs_reason": true,
      "sets_deadline": true
    },
    "verify": {
      "label": "销项",
      "allowed_from": [
        "rectified"
      ],
      "leads_to": "verified",
      "needs_reason": false,
      "sets_deadline": false
    }
  },
  "deciding_roles": [
    "admin",
    "reviewer"
  ],
  "after_correction": "pending",
  "after_rectification_report": "rectified",
  "deadline_required_class": "限时解决"
};
