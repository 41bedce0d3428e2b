"""What callers and agents hear from the voicemail package, in every language we speak.

Shipped defaults for the prompt catalogue (registered like every package's), which lets
operators override any of them at run time. Box greetings are data besides: a box's
`greetings` override `voicemail.greeting` per language (the API edits them).
"""

from __future__ import annotations

from typing import Any

from app.floor import prompts

VOICEMAIL_PROMPTS: dict[str, dict[str, str]] = {
    "voicemail.greeting": {
        "en": "You have reached {box}. We are sorry we cannot take your call right now. Please "
              "leave your name and message after the tone, then press the hash key or hang up. "
              "We will call you back as soon as we can.",
        "hi": "आप {box} से जुड़े हैं। हमें खेद है कि हम अभी आपकी कॉल नहीं ले सकते। कृपया बीप के "
              "बाद अपना नाम और संदेश छोड़ें, फिर हैश कुंजी दबाएँ या फ़ोन रख दें। हम जल्द से जल्द "
              "आपको वापस कॉल करेंगे।",
        "bn": "আপনি {box}-এ পৌঁছেছেন। দুঃখিত, আমরা এখন আপনার কল নিতে পারছি না। অনুগ্রহ করে "
              "বিপের পরে আপনার নাম ও বার্তা রাখুন, তারপর হ্যাশ চাপুন বা ফোন রেখে দিন। আমরা যত "
              "তাড়াতাড়ি সম্ভব আপনাকে ফিরতি কল করব।",
        "ms": "Anda telah menghubungi {box}. Kami memohon maaf kerana tidak dapat menjawab "
              "panggilan anda sekarang. Sila tinggalkan nama dan pesanan anda selepas bunyi bip, "
              "kemudian tekan kekunci pagar atau letakkan telefon. Kami akan menghubungi anda "
              "semula secepat mungkin.",
    },
    "voicemail.thanks": {
        "en": "Thank you. Your message has been saved and we will call you back soon. Goodbye.",
        "hi": "धन्यवाद। आपका संदेश सहेज लिया गया है और हम जल्द ही आपको वापस कॉल करेंगे। नमस्कार।",
        "bn": "ধন্যবাদ। আপনার বার্তা সংরক্ষিত হয়েছে এবং আমরা শীঘ্রই আপনাকে ফিরতি কল করব। বিদায়।",
        "ms": "Terima kasih. Pesanan anda telah disimpan dan kami akan menghubungi anda semula "
              "tidak lama lagi. Selamat tinggal.",
    },
    "voicemail.no_message": {
        "en": "We did not hear a message, but we have your number and will call you back. "
              "Goodbye.",
        "hi": "हमें कोई संदेश नहीं मिला, लेकिन हमारे पास आपका नंबर है और हम आपको वापस कॉल "
              "करेंगे। नमस्कार।",
        "bn": "আমরা কোনো বার্তা শুনতে পাইনি, তবে আপনার নম্বর আমাদের কাছে আছে এবং আমরা আপনাকে "
              "ফিরতি কল করব। বিদায়।",
        "ms": "Kami tidak mendengar sebarang pesanan, tetapi kami mempunyai nombor anda dan akan "
              "menghubungi anda semula. Selamat tinggal.",
    },
    "voicemail.callback_kept": {
        "en": "We are sorry to keep you waiting. You keep your place in line: when your turn "
              "comes, an agent will call you back at this number. You can hang up now. Goodbye.",
        "hi": "आपको प्रतीक्षा कराने के लिए हमें खेद है। कतार में आपकी जगह बनी रहेगी: आपकी बारी "
              "आने पर हमारा प्रतिनिधि इसी नंबर पर आपको वापस कॉल करेगा। अब आप फ़ोन रख सकते हैं। "
              "नमस्कार।",
        "bn": "আপনাকে অপেক্ষা করানোর জন্য আমরা দুঃখিত। সারিতে আপনার জায়গা থাকবে: আপনার পালা "
              "এলে একজন প্রতিনিধি এই নম্বরে আপনাকে ফিরতি কল করবেন। এখন ফোন রেখে দিতে পারেন। "
              "বিদায়।",
        "ms": "Kami memohon maaf kerana membuat anda menunggu. Giliran anda dikekalkan: apabila "
              "tiba giliran anda, ejen kami akan menghubungi anda semula di nombor ini. Anda "
              "boleh meletakkan telefon sekarang. Selamat tinggal.",
    },
    "voicemail.no_number": {
        "en": "We are sorry: we cannot see your phone number, so we cannot call you back "
              "automatically. Please leave a message with your number instead.",
        "hi": "हमें खेद है: हम आपका फ़ोन नंबर नहीं देख सकते, इसलिए अपने आप वापस कॉल नहीं कर "
              "सकते। कृपया इसके बजाय अपने नंबर के साथ एक संदेश छोड़ें।",
        "bn": "দুঃখিত: আমরা আপনার ফোন নম্বর দেখতে পাচ্ছি না, তাই নিজে থেকে ফিরতি কল করতে "
              "পারছি না। অনুগ্রহ করে আপনার নম্বরসহ একটি বার্তা রাখুন।",
        "ms": "Kami memohon maaf: kami tidak dapat melihat nombor telefon anda, jadi kami tidak "
              "dapat menghubungi anda semula secara automatik. Sila tinggalkan pesanan bersama "
              "nombor anda.",
    },
    "voicemail.no_agents": {
        "en": "We are sorry: nobody in {department} can take your call right now.",
        "hi": "हमें खेद है: इस समय {department} में कोई भी आपकी कॉल नहीं ले सकता।",
        "bn": "আমরা দুঃখিত: এই মুহূর্তে {department} বিভাগে কেউ আপনার কল নিতে পারছেন না।",
        "ms": "Kami memohon maaf: tiada sesiapa di {department} yang dapat menjawab panggilan "
              "anda sekarang.",
    },
    "voicemail.fallback": {
        "en": "We are sorry, we are having trouble connecting your call right now. Please leave "
              "your name, number and message after the tone, and we will call you back.",
        "hi": "हमें खेद है, इस समय आपकी कॉल जोड़ने में हमें कठिनाई हो रही है। कृपया बीप के बाद "
              "अपना नाम, नंबर और संदेश छोड़ें, हम आपको वापस कॉल करेंगे।",
        "bn": "আমরা দুঃখিত, এই মুহূর্তে আপনার কল যুক্ত করতে আমাদের সমস্যা হচ্ছে। অনুগ্রহ করে "
              "বিপের পরে আপনার নাম, নম্বর ও বার্তা রাখুন, আমরা আপনাকে ফিরতি কল করব।",
        "ms": "Kami memohon maaf, kami menghadapi masalah untuk menyambungkan panggilan anda "
              "sekarang. Sila tinggalkan nama, nombor dan pesanan anda selepas bunyi bip, dan "
              "kami akan menghubungi anda semula.",
    },
    # Heard by the agent on their softphone before the customer's phone rings (agents hear
    # English today; the other languages keep the catalogue complete for when they need not).
    "voicemail.agent_intro": {
        "en": "Callback to {who}. {why} Connecting you now.",
        "hi": "{who} को वापसी कॉल। {why} अब आपको जोड़ा जा रहा है।",
        "bn": "{who}-কে ফিরতি কল। {why} এখন আপনাকে যুক্ত করা হচ্ছে।",
        "ms": "Panggilan semula kepada {who}. {why} Menyambungkan anda sekarang.",
    },
    "voicemail.agent_not_answered": {
        "en": "The customer did not answer. Please record the outcome in your console.",
        "hi": "ग्राहक ने कॉल नहीं उठाई। कृपया अपने कंसोल में परिणाम दर्ज करें।",
        "bn": "গ্রাহক কলটি ধরেননি। অনুগ্রহ করে আপনার কনসোলে ফলাফল লিখে রাখুন।",
        "ms": "Pelanggan tidak menjawab. Sila rekodkan hasilnya dalam konsol anda.",
    },
    "voicemail.agent_done": {
        "en": "The call has ended. Please record the outcome in your console.",
        "hi": "कॉल समाप्त हो गई है। कृपया अपने कंसोल में परिणाम दर्ज करें।",
        "bn": "কলটি শেষ হয়েছে। অনুগ্রহ করে আপনার কনসোলে ফলাফল লিখে রাখুন।",
        "ms": "Panggilan telah tamat. Sila rekodkan hasilnya dalam konsol anda.",
    },
    "voicemail.callback_gone": {
        "en": "This callback is no longer on the list, so nobody will be dialled. "
              "Please check your console.",
        "hi": "यह वापसी कॉल अब सूची में नहीं है, इसलिए किसी को कॉल नहीं किया जाएगा। कृपया अपना "
              "कंसोल देखें।",
        "bn": "এই ফিরতি কলটি আর তালিকায় নেই, তাই কাউকে কল করা হবে না। অনুগ্রহ করে আপনার "
              "কনসোল দেখুন।",
        "ms": "Panggilan semula ini tiada lagi dalam senarai, jadi tiada sesiapa akan didail. "
              "Sila semak konsol anda.",
    },
}

REASONS = {
    "voicemail": "They left a message.",
    "missed_call": "They called and did not leave a message.",
    "requested": "They asked to be called back.",
}


def text(key: str, language: str, **values: Any) -> str:
    """The phrase from the catalogue, so an operator's override is heard."""
    return prompts.text(key, language, **values)


def shipped_text(key: str, language: str, **values: Any) -> str:
    """The shipped phrase, read without the database or Redis: for the safe fallback, which
    must speak when both are down."""
    texts = VOICEMAIL_PROMPTS[key]
    return texts.get(language, texts["en"]).format(**values)
