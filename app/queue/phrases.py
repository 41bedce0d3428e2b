"""What waiting callers hear, in every language we speak (R5: apologise and say why).

These are the shipped defaults for the queue's prompt keys; the prompt catalogue serves them
and lets an operator override any of them at run time.
"""

from __future__ import annotations

QUEUE_PROMPTS: dict[str, dict[str, str]] = {
    "queue.apology_position": {
        "en": "We are sorry to keep you waiting. All of our agents are helping other customers "
              "right now. You are number {position} in line.",
        "hi": "आपको प्रतीक्षा कराने के लिए हमें खेद है। हमारे सभी प्रतिनिधि इस समय दूसरे ग्राहकों "
              "की सहायता कर रहे हैं। कतार में आपका नंबर {position} है।",
        "bn": "আপনাকে অপেক্ষা করানোর জন্য আমরা দুঃখিত। আমাদের সব প্রতিনিধি এখন অন্য গ্রাহকদের "
              "সাহায্য করছেন। সারিতে আপনার নম্বর {position}।",
        "ms": "Kami memohon maaf kerana membuat anda menunggu. Semua ejen kami sedang membantu "
              "pelanggan lain sekarang. Anda nombor {position} dalam barisan.",
    },
    "queue.offer": {
        "en": "We are sorry for the wait: all of our agents are still busy. To keep waiting and "
              "keep your place, press 1. To leave a message, press 2. To have us call you back "
              "without losing your place in line, press 3.",
        "hi": "प्रतीक्षा के लिए हमें खेद है: हमारे सभी प्रतिनिधि अभी भी व्यस्त हैं। अपनी जगह बनाए "
              "रखते हुए प्रतीक्षा करने के लिए 1 दबाएँ। संदेश छोड़ने के लिए 2 दबाएँ। कतार में अपनी "
              "जगह खोए बिना हमसे वापस कॉल पाने के लिए 3 दबाएँ।",
        "bn": "অপেক্ষার জন্য আমরা দুঃখিত: আমাদের সব প্রতিনিধি এখনও ব্যস্ত। নিজের জায়গা ধরে রেখে "
              "অপেক্ষা করতে 1 চাপুন। বার্তা রাখতে 2 চাপুন। সারিতে জায়গা না হারিয়ে আমাদের কাছ থেকে "
              "ফিরতি কল পেতে 3 চাপুন।",
        "ms": "Kami memohon maaf atas penantian ini: semua ejen kami masih sibuk. Untuk terus "
              "menunggu dan mengekalkan giliran anda, tekan 1. Untuk meninggalkan pesanan, tekan "
              "2. Untuk kami menelefon anda semula tanpa kehilangan giliran, tekan 3.",
    },
    "queue.keep_waiting": {
        "en": "Thank you for your patience. You keep your place in line.",
        "hi": "आपके धैर्य के लिए धन्यवाद। कतार में आपकी जगह बनी रहेगी।",
        "bn": "আপনার ধৈর্যের জন্য ধন্যবাদ। সারিতে আপনার জায়গা বজায় থাকবে।",
        "ms": "Terima kasih atas kesabaran anda. Giliran anda dikekalkan.",
    },
    "queue.no_agents": {
        "en": "We are sorry: nobody in {department} can take your call right now.",
        "hi": "हमें खेद है: इस समय {department} में कोई भी आपकी कॉल नहीं ले सकता।",
        "bn": "আমরা দুঃখিত: এই মুহূর্তে {department} বিভাগে কেউ আপনার কল নিতে পারছেন না।",
        "ms": "Kami memohon maaf: tiada sesiapa di {department} yang dapat menjawab panggilan "
              "anda sekarang.",
    },
    "queue.goodbye": {
        "en": "Thank you for calling. Goodbye.",
        "hi": "कॉल करने के लिए धन्यवाद। नमस्कार।",
        "bn": "ফোন করার জন্য ধন্যবাদ। বিদায়।",
        "ms": "Terima kasih kerana menghubungi kami. Selamat tinggal.",
    },
}
