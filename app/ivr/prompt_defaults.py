"""Every phrase the IVR speaks, as shipped, per key and language (R9, R15).

Operators override any of them at run time (`flask prompts set`, `PUT /api/prompts/...`);
these defaults apply wherever no override exists. The placeholders a key accepts are the
ones its English text uses, so an override can never ask for a value the IVR cannot give.
"""

from __future__ import annotations

IVR_PROMPTS: dict[str, dict[str, str]] = {
    # -- greetings -------------------------------------------------------------------------
    "greeting.known": {
        "en": "Hello {name}, thank you for calling {organisation}. How can we help you today?",
        "hi": "नमस्ते {name}, {organisation} को कॉल करने के लिए धन्यवाद। आज हम आपकी क्या "
              "सहायता कर सकते हैं?",
        "bn": "নমস্কার {name}, {organisation}-এ ফোন করার জন্য ধন্যবাদ। আজ আমরা আপনাকে কীভাবে "
              "সাহায্য করতে পারি?",
        "ms": "Helo {name}, terima kasih kerana menghubungi {organisation}. Apakah yang boleh "
              "kami bantu hari ini?",
    },
    "greeting.unknown": {
        "en": "Thank you for calling {organisation}. We are here to help.",
        "hi": "{organisation} को कॉल करने के लिए धन्यवाद। हम आपकी सहायता के लिए यहाँ हैं।",
        "bn": "{organisation}-এ ফোন করার জন্য ধন্যবাদ। আমরা আপনাকে সাহায্য করতে প্রস্তুত।",
        "ms": "Terima kasih kerana menghubungi {organisation}. Kami sedia membantu anda.",
    },
    # -- language choice: each option is spoken in its own language -------------------------
    "language.option": {
        "en": "For English, press {key}.",
        "hi": "हिंदी के लिए {key} दबाएँ।",
        "bn": "বাংলার জন্য {key} চাপুন।",
        "ms": "Untuk Bahasa Melayu, tekan {key}.",
    },
    # -- common ---------------------------------------------------------------------------
    "common.invalid": {
        "en": "Sorry, that is not one of the choices.",
        "hi": "क्षमा करें, यह उपलब्ध विकल्पों में से नहीं है।",
        "bn": "দুঃখিত, এটি বিকল্পগুলোর মধ্যে নেই।",
        "ms": "Maaf, itu bukan salah satu pilihan.",
    },
    "common.not_heard": {
        "en": "Sorry, we did not hear anything.",
        "hi": "क्षमा करें, हमें कुछ सुनाई नहीं दिया।",
        "bn": "দুঃখিত, আমরা কিছু শুনতে পাইনি।",
        "ms": "Maaf, kami tidak mendengar apa-apa.",
    },
    "call.goodbye": {
        "en": "Thank you for calling {organisation}. Goodbye.",
        "hi": "{organisation} को कॉल करने के लिए धन्यवाद। नमस्कार।",
        "bn": "{organisation}-এ ফোন করার জন্য ধন্যবাদ। বিদায়।",
        "ms": "Terima kasih kerana menghubungi {organisation}. Selamat tinggal.",
    },
    # -- account number -------------------------------------------------------------------
    "account.ask": {
        "en": "If you have an account number, please key it in now, followed by the hash key. "
              "If you do not have one, press star.",
        "hi": "यदि आपके पास खाता संख्या है, तो कृपया उसे अभी दर्ज करें और फिर हैश बटन दबाएँ। "
              "यदि आपके पास खाता संख्या नहीं है, तो स्टार दबाएँ।",
        "bn": "আপনার অ্যাকাউন্ট নম্বর থাকলে অনুগ্রহ করে এখন সেটি টাইপ করে হ্যাশ বোতাম চাপুন। "
              "অ্যাকাউন্ট নম্বর না থাকলে স্টার চাপুন।",
        "ms": "Jika anda mempunyai nombor akaun, sila masukkan sekarang diikuti dengan kekunci "
              "pagar. Jika tiada, tekan bintang.",
    },
    "account.not_found": {
        "en": "Sorry, we could not find that account number. Please try again.",
        "hi": "क्षमा करें, हमें यह खाता संख्या नहीं मिली। कृपया फिर से प्रयास करें।",
        "bn": "দুঃখিত, আমরা এই অ্যাকাউন্ট নম্বরটি খুঁজে পাইনি। অনুগ্রহ করে আবার চেষ্টা করুন।",
        "ms": "Maaf, kami tidak dapat mencari nombor akaun itu. Sila cuba lagi.",
    },
    "account.give_up": {
        "en": "We could not find your account, but we can still help you.",
        "hi": "हम आपका खाता नहीं ढूँढ पाए, लेकिन हम फिर भी आपकी सहायता कर सकते हैं।",
        "bn": "আমরা আপনার অ্যাকাউন্ট খুঁজে পাইনি, তবে তবুও আমরা আপনাকে সাহায্য করতে পারি।",
        "ms": "Kami tidak dapat mencari akaun anda, tetapi kami masih boleh membantu anda.",
    },
    "account.found": {
        "en": "Thank you, {name}. We have found your account.",
        "hi": "धन्यवाद {name}, हमें आपका खाता मिल गया है।",
        "bn": "ধন্যবাদ {name}, আমরা আপনার অ্যাকাউন্ট খুঁজে পেয়েছি।",
        "ms": "Terima kasih, {name}. Kami telah menemui akaun anda.",
    },
    "account.remember_offer": {
        "en": "So that we recognise you when you call from this number, press 1. "
              "Otherwise, press 2.",
        "hi": "इस नंबर से अगली बार कॉल करने पर हम आपको पहचान सकें, इसके लिए 1 दबाएँ। "
              "अन्यथा 2 दबाएँ।",
        "bn": "এই নম্বর থেকে পরের বার ফোন করলে আমরা যাতে আপনাকে চিনতে পারি, তার জন্য 1 চাপুন। "
              "না চাইলে 2 চাপুন।",
        "ms": "Supaya kami mengenali anda apabila anda menelefon dari nombor ini, tekan 1. "
              "Jika tidak, tekan 2.",
    },
    "account.remembered": {
        "en": "Thank you, we will remember this number.",
        "hi": "धन्यवाद, हम यह नंबर याद रखेंगे।",
        "bn": "ধন্যবাদ, আমরা এই নম্বরটি মনে রাখব।",
        "ms": "Terima kasih, kami akan mengingati nombor ini.",
    },
    "account.not_remembered": {
        "en": "All right, we will not keep this number.",
        "hi": "ठीक है, हम यह नंबर सहेज कर नहीं रखेंगे।",
        "bn": "ঠিক আছে, আমরা এই নম্বরটি সংরক্ষণ করব না।",
        "ms": "Baiklah, kami tidak akan menyimpan nombor ini.",
    },
    # -- department menu ------------------------------------------------------------------
    "menu.intro": {
        "en": "Please choose a department. You can press a key or say the department's name.",
        "hi": "कृपया एक विभाग चुनें। आप बटन दबा सकते हैं या विभाग का नाम बोल सकते हैं।",
        "bn": "অনুগ্রহ করে একটি বিভাগ বেছে নিন। আপনি বোতাম চাপতে পারেন অথবা বিভাগের নাম "
              "বলতে পারেন।",
        "ms": "Sila pilih jabatan. Anda boleh menekan kekunci atau menyebut nama jabatan.",
    },
    "menu.option": {
        "en": "For {department}, press {key}.",
        "hi": "{department} के लिए {key} दबाएँ।",
        "bn": "{department}-এর জন্য {key} চাপুন।",
        "ms": "Untuk {department}, tekan {key}.",
    },
    "menu.to_default": {
        "en": "As we did not receive a choice, we will put you through to {department}, who "
              "can help you or direct you to the right person.",
        "hi": "चूँकि हमें आपका कोई विकल्प नहीं मिला, हम आपको {department} से जोड़ रहे हैं, जो "
              "आपकी सहायता करेंगे या आपको सही व्यक्ति तक पहुँचाएँगे।",
        "bn": "যেহেতু আমরা আপনার কোনো বিকল্প পাইনি, আমরা আপনাকে {department} বিভাগে যুক্ত "
              "করছি; তাঁরা আপনাকে সাহায্য করবেন বা সঠিক ব্যক্তির কাছে পৌঁছে দেবেন।",
        "ms": "Oleh kerana kami tidak menerima sebarang pilihan, kami akan menyambungkan anda "
              "ke {department}, yang boleh membantu anda atau membawa anda kepada orang yang "
              "sesuai.",
    },
    "menu.unavailable": {
        "en": "We are sorry, we cannot connect your call right now.",
        "hi": "हमें खेद है, हम इस समय आपकी कॉल नहीं जोड़ सकते।",
        "bn": "আমরা দুঃখিত, এই মুহূর্তে আমরা আপনার কল সংযুক্ত করতে পারছি না।",
        "ms": "Kami memohon maaf, kami tidak dapat menyambungkan panggilan anda sekarang.",
    },
    # -- hand-off and after hours -----------------------------------------------------------
    "handoff.connecting": {
        "en": "Thank you. We are connecting you to {department}.",
        "hi": "धन्यवाद। हम आपको {department} से जोड़ रहे हैं।",
        "bn": "ধন্যবাদ। আমরা আপনাকে {department} বিভাগের সঙ্গে যুক্ত করছি।",
        "ms": "Terima kasih. Kami sedang menyambungkan anda ke {department}.",
    },
    "after_hours.closed": {
        "en": "We are sorry, {department} is closed right now. Our opening hours are {hours}, "
              "{zone} time. Please call us again then.",
        "hi": "हमें खेद है, {department} इस समय बंद है। हमारा कार्य समय {hours} है, {zone} "
              "के समय के अनुसार। कृपया तब फिर से कॉल करें।",
        "bn": "আমরা দুঃখিত, {department} বিভাগ এখন বন্ধ। আমাদের খোলার সময় {hours}, {zone} "
              "সময় অনুযায়ী। অনুগ্রহ করে তখন আবার ফোন করুন।",
        "ms": "Kami memohon maaf, {department} ditutup sekarang. Waktu operasi kami ialah "
              "{hours}, waktu {zone}. Sila hubungi kami semula pada waktu itu.",
    },
    "after_hours.holiday": {
        "en": "We are sorry, {department} is closed today for {holiday}. Our opening hours are "
              "{hours}, {zone} time. Please call us again then.",
        "hi": "हमें खेद है, {holiday} के कारण {department} आज बंद है। हमारा कार्य समय {hours} "
              "है, {zone} के समय के अनुसार। कृपया तब फिर से कॉल करें।",
        "bn": "আমরা দুঃখিত, {holiday} উপলক্ষে {department} বিভাগ আজ বন্ধ। আমাদের খোলার সময় "
              "{hours}, {zone} সময় অনুযায়ী। অনুগ্রহ করে তখন আবার ফোন করুন।",
        "ms": "Kami memohon maaf, {department} ditutup hari ini sempena {holiday}. Waktu "
              "operasi kami ialah {hours}, waktu {zone}. Sila hubungi kami semula pada waktu "
              "itu.",
    },
    # -- spoken opening hours: "Monday to Friday, 09:00 to 17:00" ------------------------------
    "hours.range": {
        "en": "{start} to {end}",
        "hi": "{start} से {end} तक",
        "bn": "{start} থেকে {end} পর্যন্ত",
        "ms": "{start} hingga {end}",
    },
    "hours.day_span": {
        "en": "{first} to {last}",
        "hi": "{first} से {last}",
        "bn": "{first} থেকে {last}",
        "ms": "{first} hingga {last}",
    },
    "hours.and": {"en": "and", "hi": "और", "bn": "এবং", "ms": "dan"},
    "hours.always_open": {
        "en": "every day, around the clock",
        "hi": "हर दिन, चौबीसों घंटे",
        "bn": "প্রতিদিন, চব্বিশ ঘণ্টা",
        "ms": "setiap hari, 24 jam",
    },
    "hours.none": {
        "en": "not set at the moment",
        "hi": "अभी तय नहीं है",
        "bn": "এখনও নির্ধারিত হয়নি",
        "ms": "belum ditetapkan buat masa ini",
    },
    "day.mon": {"en": "Monday", "hi": "सोमवार", "bn": "সোমবার", "ms": "Isnin"},
    "day.tue": {"en": "Tuesday", "hi": "मंगलवार", "bn": "মঙ্গলবার", "ms": "Selasa"},
    "day.wed": {"en": "Wednesday", "hi": "बुधवार", "bn": "বুধবার", "ms": "Rabu"},
    "day.thu": {"en": "Thursday", "hi": "गुरुवार", "bn": "বৃহস্পতিবার", "ms": "Khamis"},
    "day.fri": {"en": "Friday", "hi": "शुक्रवार", "bn": "শুক্রবার", "ms": "Jumaat"},
    "day.sat": {"en": "Saturday", "hi": "शनिवार", "bn": "শনিবার", "ms": "Sabtu"},
    "day.sun": {"en": "Sunday", "hi": "रविवार", "bn": "রবিবার", "ms": "Ahad"},
}
