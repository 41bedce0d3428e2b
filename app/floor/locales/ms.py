"""Malay, in Latin letters: every package's prompts (the English texts are with each
package). Malay has no Polly voice, so it is spoken by Google's ms-MY Standard-A."""

from app.floor.locales import Language

LANGUAGE = Language(
    code="ms", name="Bahasa Melayu", voice="Google.ms-MY-Standard-A", say_language="ms-MY",
    speech_language="ms-MY",
    digits=("kosong", "satu", "dua", "tiga", "empat", "lima", "enam", "tujuh", "lapan",
            "sembilan"),
    menu_order=4,
    script=r"^[\x00-\x7F]*$",  # Latin letters only
)

PROMPTS: dict[str, str] = {
    # -- app/ivr: the call flow ------------------------------------------------------------------
    "greeting.known": "Helo {name}, terima kasih kerana menghubungi {organisation}. Apakah yang "
                      "boleh kami bantu hari ini?",
    "greeting.unknown": "Terima kasih kerana menghubungi {organisation}. Kami sedia membantu anda.",
    "language.option": "Untuk Bahasa Melayu, tekan {key}.",
    "common.invalid": "Maaf, itu bukan salah satu pilihan.",
    "common.not_heard": "Maaf, kami tidak mendengar apa-apa.",
    "call.goodbye": "Terima kasih kerana menghubungi {organisation}. Selamat tinggal.",
    "account.ask": "Jika anda mempunyai nombor akaun, sila masukkan sekarang diikuti dengan "
                   "kekunci pagar. Jika tiada, tekan bintang.",
    "account.not_found": "Maaf, kami tidak dapat mencari nombor akaun itu. Sila cuba lagi.",
    "account.give_up": "Kami tidak dapat mencari akaun anda, tetapi kami masih boleh membantu "
                       "anda.",
    "account.found": "Terima kasih, {name}. Kami telah menemui akaun anda.",
    "account.remember_offer": "Supaya kami mengenali anda apabila anda menelefon dari nombor ini, "
                              "tekan 1. Jika tidak, tekan 2.",
    "account.remembered": "Terima kasih, kami akan mengingati nombor ini.",
    "account.not_remembered": "Baiklah, kami tidak akan menyimpan nombor ini.",
    "menu.intro": "Sila pilih jabatan. Anda boleh menekan kekunci atau menyebut nama jabatan.",
    "menu.option": "Untuk {department}, tekan {key}.",
    "menu.to_default": "Oleh kerana kami tidak menerima sebarang pilihan, kami akan menyambungkan "
                       "anda ke {department}, yang boleh membantu anda atau membawa anda kepada "
                       "orang yang sesuai.",
    "menu.unavailable": "Kami memohon maaf, kami tidak dapat menyambungkan panggilan anda "
                        "sekarang.",
    "handoff.connecting": "Terima kasih. Kami sedang menyambungkan anda ke {department}.",
    "after_hours.closed": "Kami memohon maaf, {department} ditutup sekarang. Waktu operasi kami "
                          "ialah {hours}, waktu {zone}. Sila hubungi kami semula pada waktu itu.",
    "after_hours.holiday": "Kami memohon maaf, {department} ditutup hari ini sempena {holiday}. "
                           "Waktu operasi kami ialah {hours}, waktu {zone}. Sila hubungi kami "
                           "semula pada waktu itu.",
    "hours.range": "{start} hingga {end}",
    "hours.day_span": "{first} hingga {last}",
    "hours.and": "dan",
    "hours.always_open": "setiap hari, 24 jam",
    "hours.none": "belum ditetapkan buat masa ini",
    "day.mon": "Isnin",
    "day.tue": "Selasa",
    "day.wed": "Rabu",
    "day.thu": "Khamis",
    "day.fri": "Jumaat",
    "day.sat": "Sabtu",
    "day.sun": "Ahad",
    # -- app/queue: waiting callers --------------------------------------------------------------
    "queue.apology_position": "Kami memohon maaf kerana membuat anda menunggu. Semua ejen kami "
                              "sedang membantu pelanggan lain sekarang. Anda nombor {position} "
                              "dalam barisan.",
    "queue.offer": "Kami memohon maaf atas penantian ini: semua ejen kami masih sibuk. Untuk "
                   "terus menunggu dan mengekalkan giliran anda, tekan 1. Untuk meninggalkan "
                   "pesanan, tekan 2. Untuk kami menelefon anda semula tanpa kehilangan giliran, "
                   "tekan 3.",
    "queue.keep_waiting": "Terima kasih atas kesabaran anda. Giliran anda dikekalkan.",
    "queue.no_agents": "Kami memohon maaf: tiada sesiapa di {department} yang dapat menjawab "
                       "panggilan anda sekarang.",
    "queue.goodbye": "Terima kasih kerana menghubungi kami. Selamat tinggal.",
    # -- app/calls: call controls ----------------------------------------------------------------
    "calls.hold_apology": "Terima kasih kerana menunggu. Ejen anda meletakkan anda dalam talian "
                          "menunggu sebentar untuk menyemak permintaan anda, dan akan kembali "
                          "kepada anda sebentar lagi.",
    "calls.transfer_hold": "Sila tunggu sebentar, kami sedang menyambungkan anda kepada rakan "
                           "sekerja yang dapat membantu anda dalam hal ini.",
    "calls.hold_limit_apology": "Kami memohon maaf kerana membuat anda menunggu. Kami sedang "
                                "menyambungkan anda semula kepada ejen anda sekarang.",
    "calls.transferring": "Sila tunggu sebentar, kami sedang memindahkan panggilan anda ke "
                          "{department}. Anda berada di hadapan barisan.",
    "calls.transferring_agent": "Sila tunggu sebentar, kami sedang menyambungkan anda kepada ejen "
                                "lain yang dapat membantu anda.",
    "calls.back_in_line": "Kami memohon maaf: talian ejen anda terputus. Anda berada di hadapan "
                          "barisan, dan ejen seterusnya yang lapang akan menjawab panggilan anda.",
    # the agent's own words (app/calls/words.py), read out by the agent
    "calls.words_greeting": "Helo, terima kasih kerana menghubungi {organisation}, {department}. "
                            "Nama saya {agent}. Bagaimana saya boleh membantu anda hari ini?",
    "calls.words_apology_busy": "Maaf kerana membuat anda menunggu: semua ejen kami sedang "
                                "membantu pelanggan lain.",
    "calls.words_apology_missed": "Maaf kerana membuat anda menunggu: rakan sekerja yang kami "
                                  "sambungkan dahulu tidak dapat menjawab.",
    "calls.words_apology_transfer": "Maaf kerana membuat anda menunggu semasa kami mencari orang "
                                    "yang tepat untuk membantu anda.",
    "calls.words_anything_else": "Adakah apa-apa lagi yang boleh saya bantu hari ini?",
    # -- app/voicemail: messages and callbacks ---------------------------------------------------
    "voicemail.greeting": "Anda telah menghubungi {box}. Kami memohon maaf kerana tidak dapat "
                          "menjawab panggilan anda sekarang. Sila tinggalkan nama dan pesanan "
                          "anda selepas bunyi bip, kemudian tekan kekunci pagar atau letakkan "
                          "telefon. Kami akan menghubungi anda semula secepat mungkin.",
    "voicemail.thanks": "Terima kasih. Pesanan anda telah disimpan dan kami akan menghubungi anda "
                        "semula tidak lama lagi. Selamat tinggal.",
    "voicemail.no_message": "Kami tidak mendengar sebarang pesanan, tetapi kami mempunyai nombor "
                            "anda dan akan menghubungi anda semula. Selamat tinggal.",
    "voicemail.callback_kept": "Kami memohon maaf kerana membuat anda menunggu. Giliran anda "
                               "dikekalkan: apabila tiba giliran anda, ejen kami akan menghubungi "
                               "anda semula di nombor ini. Anda boleh meletakkan telefon "
                               "sekarang. Selamat tinggal.",
    "voicemail.no_number": "Kami memohon maaf: kami tidak dapat melihat nombor telefon anda, jadi "
                           "kami tidak dapat menghubungi anda semula secara automatik. Sila "
                           "tinggalkan pesanan bersama nombor anda.",
    "voicemail.no_agents": "Kami memohon maaf: tiada sesiapa di {department} yang dapat menjawab "
                           "panggilan anda sekarang.",
    "voicemail.fallback": "Kami memohon maaf, kami menghadapi masalah untuk menyambungkan "
                          "panggilan anda sekarang. Sila tinggalkan nama, nombor dan pesanan anda "
                          "selepas bunyi bip, dan kami akan menghubungi anda semula.",
    "voicemail.agent_intro": "Panggilan semula kepada {who}. {why} Menyambungkan anda sekarang.",
    "voicemail.agent_not_answered": "Pelanggan tidak menjawab. Sila rekodkan hasilnya dalam "
                                    "konsol anda.",
    "voicemail.agent_done": "Panggilan telah tamat. Sila rekodkan hasilnya dalam konsol anda.",
    "voicemail.callback_gone": "Panggilan semula ini tiada lagi dalam senarai, jadi tiada sesiapa "
                               "akan didail. Sila semak konsol anda.",
    # -- app/wrapup: the survey ------------------------------------------------------------------
    "survey.question": "Sebelum anda pergi: sejauh manakah anda berpuas hati dengan bantuan yang "
                       "anda terima hari ini? Tekan satu kekunci dari 1, sangat tidak berpuas "
                       "hati, hingga 5, sangat berpuas hati.",
    "survey.retry": "Maaf, sila tekan satu kekunci dari 1 hingga 5.",
    "survey.thanks": "Terima kasih atas penilaian anda, dan terima kasih kerana menghubungi kami. "
                     "Selamat tinggal.",
}
