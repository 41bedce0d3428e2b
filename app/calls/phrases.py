"""What a caller hears from the call controls, in every language we speak (R5: apologise and
say why). Shipped defaults for the prompt catalogue, which lets operators override them."""

from __future__ import annotations

CALL_PROMPTS: dict[str, dict[str, str]] = {
    "calls.hold_apology": {
        "en": "Thank you for holding. Your agent has put you on hold for a moment to look into "
              "your request, and will be right back with you.",
        "hi": "होल्ड पर बने रहने के लिए धन्यवाद। आपके प्रतिनिधि ने आपका अनुरोध देखने के लिए "
              "आपको कुछ पल के लिए होल्ड पर रखा है, और वे जल्द ही आपके पास लौटेंगे।",
        "bn": "অপেক্ষা করার জন্য ধন্যবাদ। আপনার অনুরোধটি দেখার জন্য আপনার প্রতিনিধি আপনাকে "
              "কিছুক্ষণের জন্য হোল্ডে রেখেছেন, তিনি শীঘ্রই আপনার কাছে ফিরে আসবেন।",
        "ms": "Terima kasih kerana menunggu. Ejen anda meletakkan anda dalam talian menunggu "
              "sebentar untuk menyemak permintaan anda, dan akan kembali kepada anda sebentar "
              "lagi.",
    },
    "calls.transfer_hold": {
        "en": "Please hold while we connect you to a colleague who can help you with this.",
        "hi": "कृपया प्रतीक्षा करें, हम आपको एक ऐसे सहकर्मी से जोड़ रहे हैं जो इसमें आपकी "
              "सहायता कर सकते हैं।",
        "bn": "অনুগ্রহ করে অপেক্ষা করুন, আমরা আপনাকে এমন একজন সহকর্মীর সাথে যুক্ত করছি যিনি "
              "এ বিষয়ে আপনাকে সাহায্য করতে পারবেন।",
        "ms": "Sila tunggu sebentar, kami sedang menyambungkan anda kepada rakan sekerja yang "
              "dapat membantu anda dalam hal ini.",
    },
    "calls.hold_limit_apology": {
        "en": "We are sorry to have kept you waiting. We are reconnecting you to your agent now.",
        "hi": "आपको प्रतीक्षा कराने के लिए हमें खेद है। हम आपको अभी आपके प्रतिनिधि से फिर से "
              "जोड़ रहे हैं।",
        "bn": "আপনাকে অপেক্ষা করানোর জন্য আমরা দুঃখিত। আমরা এখনই আপনাকে আপনার প্রতিনিধির "
              "সাথে আবার যুক্ত করছি।",
        "ms": "Kami memohon maaf kerana membuat anda menunggu. Kami sedang menyambungkan anda "
              "semula kepada ejen anda sekarang.",
    },
    "calls.transferring": {
        "en": "Please hold while we transfer you to {department}. You are at the front of the "
              "line.",
        "hi": "कृपया प्रतीक्षा करें, हम आपको {department} में स्थानांतरित कर रहे हैं। आप कतार "
              "में सबसे आगे हैं।",
        "bn": "অনুগ্রহ করে অপেক্ষা করুন, আমরা আপনাকে {department} বিভাগে স্থানান্তর করছি। "
              "আপনি সারির একেবারে সামনে আছেন।",
        "ms": "Sila tunggu sebentar, kami sedang memindahkan panggilan anda ke {department}. "
              "Anda berada di hadapan barisan.",
    },
    "calls.transferring_agent": {
        "en": "Please hold while we connect you to another agent who can help you.",
        "hi": "कृपया प्रतीक्षा करें, हम आपको दूसरे प्रतिनिधि से जोड़ रहे हैं जो आपकी सहायता "
              "कर सकते हैं।",
        "bn": "অনুগ্রহ করে অপেক্ষা করুন, আমরা আপনাকে অন্য একজন প্রতিনিধির সাথে যুক্ত করছি যিনি "
              "আপনাকে সাহায্য করতে পারবেন।",
        "ms": "Sila tunggu sebentar, kami sedang menyambungkan anda kepada ejen lain yang dapat "
              "membantu anda.",
    },
    "calls.back_in_line": {
        "en": "We are sorry: your agent's line was cut off. You are at the front of the line, "
              "and the next free agent will take your call.",
        "hi": "हमें खेद है: आपके प्रतिनिधि की लाइन कट गई। आप कतार में सबसे आगे हैं, और अगला "
              "खाली प्रतिनिधि आपकी कॉल लेगा।",
        "bn": "আমরা দুঃখিত: আপনার প্রতিনিধির লাইন কেটে গেছে। আপনি সারির একেবারে সামনে আছেন, "
              "পরবর্তী যে প্রতিনিধি খালি হবেন তিনি আপনার কল নেবেন।",
        "ms": "Kami memohon maaf: talian ejen anda terputus. Anda berada di hadapan barisan, dan "
              "ejen seterusnya yang lapang akan menjawab panggilan anda.",
    },
}
