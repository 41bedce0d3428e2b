"""What the caller hears in the post-call survey, in every language we speak (R11, R15).

Shipped defaults for the prompt catalogue: operators override any of them at run time
(`flask prompts set survey.question hi "..."`), as every other prompt.
"""

from __future__ import annotations

SURVEY_PROMPTS: dict[str, dict[str, str]] = {
    "survey.question": {
        "en": "Before you go: how satisfied are you with the help you received today? Press a "
              "key from 1, very unsatisfied, to 5, very satisfied.",
        "hi": "जाने से पहले: आज आपको मिली सहायता से आप कितने संतुष्ट हैं? 1 से 5 के बीच कोई बटन "
              "दबाएँ; 1 यानी बिल्कुल असंतुष्ट, 5 यानी पूरी तरह संतुष्ट।",
        "bn": "যাওয়ার আগে: আজ আপনি যে সহায়তা পেয়েছেন তাতে আপনি কতটা সন্তুষ্ট? 1 থেকে 5-এর মধ্যে "
              "একটি বোতাম চাপুন; 1 মানে একেবারেই অসন্তুষ্ট, 5 মানে সম্পূর্ণ সন্তুষ্ট।",
        "ms": "Sebelum anda pergi: sejauh manakah anda berpuas hati dengan bantuan yang anda "
              "terima hari ini? Tekan satu kekunci dari 1, sangat tidak berpuas hati, hingga 5, "
              "sangat berpuas hati.",
    },
    "survey.retry": {
        "en": "Sorry, please press a key from 1 to 5.",
        "hi": "क्षमा करें, कृपया 1 से 5 के बीच कोई बटन दबाएँ।",
        "bn": "দুঃখিত, অনুগ্রহ করে 1 থেকে 5-এর মধ্যে একটি বোতাম চাপুন।",
        "ms": "Maaf, sila tekan satu kekunci dari 1 hingga 5.",
    },
    "survey.thanks": {
        "en": "Thank you for your rating, and thank you for calling. Goodbye.",
        "hi": "आपकी रेटिंग के लिए धन्यवाद, और कॉल करने के लिए भी धन्यवाद। नमस्कार।",
        "bn": "আপনার মূল্যায়নের জন্য ধন্যবাদ, এবং ফোন করার জন্যও ধন্যবাদ। বিদায়।",
        "ms": "Terima kasih atas penilaian anda, dan terima kasih kerana menghubungi kami. "
              "Selamat tinggal.",
    },
}
