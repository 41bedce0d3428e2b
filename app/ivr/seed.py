"""Demo departments and customers for `make run` (`flask ivr seed-demo`); safe to run twice."""

from __future__ import annotations

from typing import Any

from app.customers import services as customers
from app.floor import departments

WEEKDAYS = {d: [["09:00", "18:00"]] for d in ("mon", "tue", "wed", "thu", "fri")}

DEMO_DEPARTMENTS: list[dict[str, Any]] = [
    {
        "slug": "billing", "name": "Billing", "menu_key": "1", "position": 1,
        "names": {"hi": "बिलिंग विभाग", "bn": "বিলিং", "ms": "Bahagian Bil"},
        "speech_keywords": {
            "en": ["billing", "bill", "invoice", "payment", "refund"],
            "hi": ["बिलिंग", "बिल", "भुगतान", "रिफंड"],
            "bn": ["বিলিং", "বিল", "পেমেন্ট", "টাকা ফেরত"],
            "ms": ["bil", "bayaran", "pembayaran", "invois", "bayaran balik"],
        },
        "timezone": "Asia/Kolkata", "hours": WEEKDAYS,
    },
    {
        "slug": "support", "name": "Technical support", "menu_key": "2", "position": 2,
        "is_default": True,
        "names": {"hi": "तकनीकी सहायता", "bn": "কারিগরি সহায়তা", "ms": "Sokongan teknikal"},
        "speech_keywords": {
            "en": ["support", "technical", "help", "broken", "not working", "internet"],
            "hi": ["सहायता", "तकनीकी", "मदद", "खराब", "काम नहीं"],
            "bn": ["সহায়তা", "কারিগরি", "সাহায্য", "নষ্ট", "কাজ করছে না"],
            "ms": ["sokongan", "teknikal", "bantuan", "rosak", "tidak berfungsi"],
        },
        # Around the clock, so a demo call at any hour reaches somebody.
        "timezone": "Asia/Kolkata", "hours": {},
    },
    {
        "slug": "sales", "name": "Sales", "menu_key": "3", "position": 3,
        "names": {"hi": "बिक्री विभाग", "bn": "বিক্রয়", "ms": "Jualan"},
        "speech_keywords": {
            "en": ["sales", "buy", "new connection", "plan", "offer"],
            "hi": ["बिक्री", "खरीद", "नया कनेक्शन", "प्लान"],
            "bn": ["বিক্রয়", "কিনতে", "নতুন সংযোগ", "প্ল্যান"],
            "ms": ["jualan", "beli", "sambungan baru", "pelan", "tawaran"],
        },
        "timezone": "Asia/Kuala_Lumpur",
        "hours": {**{d: [["09:00", "17:00"]] for d in ("mon", "tue", "wed", "thu", "fri")},
                  "sat": [["10:00", "14:00"]]},
    },
]

DEMO_HOLIDAYS = {"billing": [("2026-12-25", "Christmas Day"), ("2027-01-26", "Republic Day")]}

DEMO_CUSTOMERS: list[dict[str, Any]] = [
    {"name": "Asha", "account_number": "100001", "language": "hi",
     "phones": ["+919876543210"], "tier": "standard"},
    {"name": "Nurul Aisyah", "account_number": "100002", "language": "ms",
     "phones": ["+60123456789"], "tier": "vip"},
    {"name": "Rahim", "account_number": "100003", "language": "bn",
     "phones": ["+8801712345678"], "tier": "standard"},
    {"name": "Jordan", "account_number": "100004", "language": "en",
     "phones": ["+12025550143"], "tier": "standard"},
    # No phone on file: call from any number and key 100005 to be recognised and linked.
    {"name": "Priya", "account_number": "100005", "language": "hi", "phones": [],
     "tier": "standard"},
]


def seed() -> list[str]:
    """Create what is missing; leave what exists alone. Stages rows; the caller commits."""
    report = []
    existing = {d.slug for d in departments.all_departments()}
    for spec in DEMO_DEPARTMENTS:
        if spec["slug"] in existing:
            report.append(f"department {spec['slug']}: already there")
            continue
        department = departments.create(spec)
        for day, name in DEMO_HOLIDAYS.get(spec["slug"], []):
            departments.add_holiday(department, day, name)
        report.append(f"department {spec['slug']}: created on key {spec['menu_key']}")
    for spec in DEMO_CUSTOMERS:
        if customers.find_by_account_number(spec["account_number"]) is not None:
            report.append(f"customer {spec['name']}: already there")
            continue
        if any(customers.find_by_phone(p) is not None for p in spec["phones"]):
            report.append(f"customer {spec['name']}: phone already taken, skipped")
            continue
        customers.create_customer(source="import", **spec)
        phones = ", ".join(spec["phones"]) or "no phone"
        report.append(f"customer {spec['name']} ({spec['language']}): account "
                      f"{spec['account_number']}, {phones}")
    return report
