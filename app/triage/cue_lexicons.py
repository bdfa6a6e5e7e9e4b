"""Multilingual phrase lists behind the frustration and safety cues (regex fragments).

Keyed by cue, then by ISO 639-1 language. Fragments are matched case-insensitively and,
for languages written with spaces, as whole words.
"""

from __future__ import annotations

from collections.abc import Mapping

from app.triage.patterns import Lexicon
from app.triage.signals import Cue

_ORDINAL_EN = r"(?:second|third|fourth|fifth|sixth|umpteenth|nth|\d+(?:st|nd|rd|th))"

REPEAT_CONTACT: Lexicon = {
    "en": (
        rf"(?:for )?the {_ORDINAL_EN} time",
        rf"{_ORDINAL_EN} time (?:i'm|i am|we're|we are|i've|we've|i have|we have|asking"
        r"|reporting|writing|contacting)",
        r"(?:asked|told|reported|raised|explained|mentioned|wrote|written|contacted|messaged"
        r"|pinged|flagged|emailed)(?: you| this| it| about (?:this|it)| the same thing)?"
        r" (?:already|before|multiple times|several times|many times|twice|three times"
        r"|\d+ times|over and over)",
        r"how many (?:more )?times",
        r"again and again",
        r"(?:still|been) waiting (?:for|on) (?:an? )?(?:answer|reply|response|fix|update)",
        r"no ?(?:one|body) (?:has )?(?:replied|responded|answered|got back)",
        r"(?:as|like) i (?:already )?(?:said|told you|mentioned|explained)",
        r"have to (?:ask|explain|repeat) (?:this|it|myself)? ?again",
        # reported on several dates: "reported it on the 2nd, the 9th and today"
        r"(?:reported|raised|flagged|mentioned|asked about)\b[^.?!]{0,60}\bon the \d+(?:st|nd"
        r"|rd|th)\b[^.?!]{0,40}(?:,| and) (?:today|again|yesterday|now)\b",
    ),
    "es": (
        r"(?:segunda|tercera|cuarta|quinta) vez",
        r"ya (?:lo )?(?:he|hemos) (?:reportado|dicho|preguntado|escrito|explicado)",
        r"otra vez lo mismo",
    ),
    "de": (
        r"(?:zum|das) (?:zweiten|dritten|vierten|fünften) mal",
        r"schon (?:mehrfach|mehrmals|zweimal|dreimal) (?:gemeldet|geschrieben|gefragt)",
        r"wie oft noch",
    ),
    "fr": (
        r"(?:deuxième|troisième|quatrième|cinquième) fois",
        r"(?:déjà|plusieurs fois) (?:signalé|demandé|écrit|expliqué)",
    ),
    "pt": (
        r"(?:segunda|terceira|quarta|quinta) vez",
        r"já (?:reportei|reportamos|falei|falamos|pedi|pedimos|expliquei)",
    ),
    "it": (
        r"(?:seconda|terza|quarta|quinta) volta",
        r"(?:l'ho|l'abbiamo) già (?:segnalato|detto|scritto)",
    ),
    "nl": (r"(?:tweede|derde|vierde|vijfde) keer", r"al (?:meerdere|zo vaak) (?:keren|keer)"),
    "ja": (
        r"何度も",
        r"何回も",
        r"再三",
        "[2-9\uff12-\uff19二三四五]回目",  # ASCII or full-width digit
        "[2-9\uff12-\uff19二三四五]度目",
    ),
}

STILL_BROKEN: Lexicon = {
    "en": (
        r"still (?:not|doesn't|does not|isn't|is not|can't|cannot|won't|broken|failing|down"
        r"|happening|an issue|the same|no)",
        r"(?:broke|broken|down|failing|happening|crashing|wrong|gone) again",
        r"is back",
        r"(?:not|never) (?:been |got |actually )?fixed",
        r"(?:didn't|did not|doesn't|does not) (?:fix|help)",
        r"(?:closed|marked (?:as )?(?:resolved|solved|done|fixed)) without (?:a |any )?(?:fix"
        r"|answer|solution|reply|response)",
        # one attempt after another ("tried the workaround, then reinstalled, then ...")
        r"tried\b[^.?!]{0,80}\bthen\b[^.?!]{0,80}\bthen\b",
        r"\bsame (?:error|issue|problem|result|thing|bug|message|crash)\b",
    ),
    "es": (
        r"sigue sin",
        r"sigue (?:fallando|roto|rota|igual|caído|caída)",
        r"otra vez",
        r"de nuevo",
    ),
    "de": (r"immer noch (?:nicht|kein|keine|kaputt|down)", r"schon wieder", r"wieder kaputt"),
    "fr": (
        r"toujours pas",
        r"toujours (?:en panne|cassé|bloqué)",
        r"encore (?:cassé|en panne)",
        r"encore une? (?:\w+ ){1,4}qui (?:casse|plante|bloque)",
    ),
    "pt": (r"continua (?:sem|dando|com (?:o )?(?:erro|problema))", r"de novo", r"outra vez"),
    "it": (r"ancora non", r"continua a non", r"di nuovo"),
    "nl": (r"nog steeds (?:niet|geen|kapot|stuk)", r"alweer", r"weer (?:kapot|stuk|plat)"),
    "ja": (r"まだ(?:直|治|解決|動か|使え)", r"相変わらず", r"また(?:落ち|エラー|止ま)"),
}

PROFANITY: Lexicon = {
    "en": (
        r"f+u+c+k\w*",
        r"sh[i1]t+\w*",
        r"bullshit",
        r"god ?damn\w*",
        r"wtf",
        r"ffs",
        r"ass(?:hole)?s?",
        r"piss(?:ed)? off",
    ),
    "es": (r"mierda", r"joder", r"puta", r"carajo", r"cojones", r"co[ñn]o"),
    "de": (r"schei(?:ß|ss)e?\w*", r"verdammt\w*", r"kacke", r"mist"),
    "fr": (r"merde", r"putain", r"bordel"),
    "pt": (r"porra", r"merda", r"caralho"),
    "it": (r"cazzo", r"vaffanculo", r"merda"),
    "nl": (r"kut\w*", r"godverdomme", r"klote\w*"),
    "ja": (r"くそ", r"クソ", r"ふざけるな", r"ふざけんな"),
}

#: Swearing that expresses annoyance rather than anger; weighs less than PROFANITY.
MILD_PROFANITY: Lexicon = {
    "en": (r"damn(?:ed|it)?", r"crap(?:py)?", r"bloody", r"what the hell", r"hell", r"freaking"),
    "de": (r"mist",),
    "nl": (r"verdorie",),
}

INSULT: Lexicon = {
    "en": (
        r"useless",
        r"garbage",
        # "the trash" is where deleted work goes: only trash said of something is an insult
        r"(?:is|are|'s|so|total|absolute|utter|complete) trash",
        r"junk",
        r"piece of (?:junk|crap|garbage|trash|software)",
        r"joke of an? \w+",
        r"worst (?:\w+ )?(?:product|tool|software|service|support|app|company|vendor)",
        r"incompetent",
        r"pathetic",
        r"amateur(?:s|ish)?",
        r"clowns?",
        r"(?:terrible|awful|horrible|lousy) (?:product|tool|software|service|support|app)",
    ),
    "es": (r"basura", r"inútil(?:es)?", r"porquería", r"pésim[oa]", r"desastre"),
    "de": (r"müll", r"nutzlos", r"unbrauchbar", r"schrott", r"katastrophal"),
    "fr": (r"nul(?:le|s)?", r"inutilisable", r"catastrophique", r"lamentable", r"minable"),
    "pt": (r"lixo", r"inútil", r"péssim[oa]", r"porcaria", r"vergonhos[oa]"),
    "it": (r"schifo", r"inutile", r"pessim[oa]", r"vergognos[oa]"),
    "nl": (r"waardeloos", r"bagger", r"prutswerk"),
    "ja": (r"ゴミ(?!箱)", r"最悪", r"使えない", r"使い物にならない"),  # ゴミ箱: the trash
}

EXASPERATION: Lexicon = {
    "en": (
        r"seriously",
        r"unacceptable",
        r"ridiculous",
        r"unbelievable",
        r"absurd",
        r"outrageous",
        r"(?:are|r) (?:you|u) (?:kidding|serious|joking)",
        r"(?:you've|you have) got to be kidding",
        r"come on",
        r"fed up",
        r"(?:sick|tired) (?:and tired )?of",
        r"enough is enough",
        r"waste of (?:my |our )?(?:time|money)",
        r"for (?:god's|heaven's|pete's) sake",
        r"(?:this|that) is a joke",
        r"frustrat(?:ed|ing)",
        r"furious",
        r"angry",
        r"disappointed",
        r"i give up",
    ),
    "es": (r"inaceptable", r"ridículo", r"hart[oa]s?", r"una vergüenza", r"es una broma"),
    "de": (r"inakzeptabel", r"unfassbar", r"lächerlich", r"frechheit", r"unverschämt"),
    "fr": (r"inacceptable", r"inadmissible", r"ridicule", r"(?:en )?(?:ai|a) marre", r"scandaleux"),
    "pt": (r"inaceitável", r"absurdo", r"ridículo", r"cansad[oa]s? de"),
    "it": (r"inaccettabile", r"assurdo", r"ridicolo", r"stuf[oa]", r"una vergogna"),
    "nl": (r"onacceptabel", r"belachelijk", r"schandalig", r"ik ben het zat"),
    "ja": (r"ありえない", r"あり得ない", r"いい加減に", r"信じられない"),
}

SARCASM: Lexicon = {
    "en": (
        r"oh (?:great|wonderful|fantastic|perfect|lovely|brilliant|nice|joy|good)",
        r"just what (?:i|we) (?:needed|wanted)",
        r"thanks for nothing",
        r"love (?:how|that) (?:i|we) (?:have|had|need|get) to",
        r"(?:great|perfect|wonderful|awesome|fantastic|brilliant|nice)[.!]+ (?:really|just|so) "
        r"(?:great|perfect|wonderful|awesome|fantastic|brilliant|nice)",
        r"yeah,? right",
        r"so much for",
        r"love that for us",
        r"(?:clearly|obviously) (?:nobody|no one) (?:tested|checked|cares)",
        r"['\"](?:fixed|fix|minor update|update|improvement|improved|upgrade|resolved|solution"
        r"|support|help|working|stable|quick fix)['\"]",
    ),
    "es": (r"qué maravilla", r"genial,? otra vez", r"muchas gracias por nada"),
    "de": (r"na toll", r"ganz toll", r"danke für nichts"),
    "fr": (r"(?:super|génial|bravo|parfait|top),? encore", r"merci pour rien"),
    "pt": (r"que maravilha", r"obrigado por nada"),
    "it": (r"che bello,? (?:di nuovo|ancora)", r"grazie per niente"),
    "nl": (r"lekker dan", r"bedankt voor niks"),
    "ja": (r"さすがですね",),
}

#: Emoji that read as sarcasm or contempt in a support thread.
SARCASM_EMOJI = frozenset({"🙄", "🤡", "🙃", "😒"})

THREAT_TO_LEAVE: Lexicon = {
    "en": (
        r"(?:switch|switching|move|moving|migrate|migrating|go|going) (?:over )?to (?:a |an )?"
        r"(?:competitor|the competition|(?:another|a different|other) (?:vendor|provider|tool"
        r"|platform|solution|product)s?)",
        r"(?:look|looking|evaluating|considering|exploring|researching) (?:at |for |into )?"
        r"(?:alternatives|competitors|(?:other|different|alternative) (?:vendors|tools|providers"
        r"|platforms|solutions|options))",
        r"(?:we'll|we will|i'll|i will|going to|gonna) (?:leave|churn|walk away)",
        r"take our business elsewhere",
    ),
    "es": (
        r"(?:cambiar|cambiarnos|cambiamos|irnos|pasarnos|nos vamos) (?:de proveedor|a otra"
        r" (?:herramienta|plataforma|empresa)|a la competencia)",
    ),
    "de": (r"(?:den )?anbieter wechseln", r"zur konkurrenz", r"nach alternativen umsehen"),
    "fr": (
        r"changer de (?:fournisseur|prestataire|solution|outil)",
        r"(?:chez|voir) (?:la concurrence|un concurrent)",
    ),
    "pt": (
        r"trocar de (?:fornecedor|ferramenta|plataforma)",
        r"(?:ir|mudar) para (?:a concorrência|outra (?:ferramenta|plataforma))",
    ),
    "it": (r"cambiare fornitore", r"passare (?:a|ad) (?:un altro|un'altra|la concorrenza)"),
    "nl": (r"overstappen", r"andere leverancier", r"naar de concurrent"),
    "ja": (r"他社(?:に|へ)(?:乗り換え|移行)", r"乗り換え(?:を|ます|る)"),
}

FORMAL_COMPLAINT: Lexicon = {
    "en": (
        r"complaints?",
        r"reclamations?",
        r"grievances?",
        r"(?:file|lodge|make|submit|raise|open|register|filing|lodging|making|submitting"
        r"|raising|opening|registering) (?:a |an )?(?:\w+ ){0,2}claims?",
        r"claims? against",
        r"(?:want|like|need|have) to complain",
        r"complain(?:ing)? about",
    ),
    "es": (r"queja", r"reclamaci[oó]n", r"reclamo", r"poner una denuncia"),
    "de": (r"beschwerde", r"beschweren"),
    "fr": (r"plainte", r"réclamation"),
    "pt": (r"reclamação", r"reclamar formalmente"),
    "it": (r"reclamo", r"lamentela"),
    "nl": (r"klacht", r"klagen"),
    "ja": (r"苦情", r"クレーム"),
}

#: "not urgent", "no es urgente", "nicht dringend": no urgency.
_NOT = (
    r"(?<!not )(?<!non-)(?<!non )(?<!no )(?<!no es )(?<!pas )(?<!não )(?<!não é )(?<!non è )"
    r"(?<!nicht )(?<!niet )"
)

URGENCY: Lexicon = {
    "en": (
        r"asap",
        rf"{_NOT}urgent(?:ly)?",
        r"emergency",
        r"right now",
        r"immediately",
        r"losing (?:money|customers|revenue|business|data)",
        r"costing us",
        r"(?:client|customer|board|investor) (?:demo|meeting|presentation|call)",
        r"(?:blocking|blocks|blocked) (?:our|the) (?:release|launch|team|whole)",
        r"production is down",
        r"in an hour",
    ),
    "es": (rf"{_NOT}urgente", r"cuanto antes", r"de inmediato", r"perdiendo dinero"),
    "de": (rf"{_NOT}dringend", r"sofort", r"so schnell wie möglich"),
    "fr": (rf"{_NOT}urgent", r"immédiatement", r"au plus vite"),
    "pt": (rf"{_NOT}urgente", r"imediatamente", r"o quanto antes"),
    "it": (rf"{_NOT}urgente", r"immediatamente", r"al più presto"),
    "nl": (rf"{_NOT}dringend", r"spoed", r"zo snel mogelijk"),
    "ja": (r"至急", r"緊急", r"今すぐ"),
}

PROMPT_INJECTION: Lexicon = {
    "en": (
        r"ignore (?:all |any )?(?:the )?(?:previous|prior|above|earlier|preceding|your)"
        r" (?:instructions|prompts?|messages|rules|directions)",
        r"ignore the above",
        r"disregard (?:all |any )?(?:the )?(?:previous|prior|above|earlier|your)"
        r"(?: instructions| rules| messages)?",
        r"you are now (?:in )?(?:an? )?(?:admin|developer|dan|unrestricted|jailbreak)\w*",
        r"system prompt",
        r"new instructions:",
        r"act as (?:an? )?(?:admin|administrator|developer|system)",
    ),
    "es": (r"ignora (?:todas )?las instrucciones (?:anteriores|previas)",),
    "de": (r"ignoriere (?:alle )?(?:vorherigen|bisherigen) anweisungen",),
    "fr": (r"ignore[rz]? (?:toutes )?les instructions précédentes",),
    "pt": (r"ignore (?:todas )?as instruções anteriores",),
    "it": (r"ignora (?:tutte )?le istruzioni precedenti",),
    "nl": (r"negeer (?:alle )?(?:vorige|eerdere) instructies",),
    "ja": (r"以前の指示を無視", r"これまでの指示を無視"),
}

#: Literal markers of chat-template tokens pasted into a message.
INJECTION_MARKERS: tuple[str, ...] = ("</s>", "[INST]", "<|im_start|>", "<|system|>")

LEXICONS: Mapping[Cue, Lexicon] = {
    Cue.REPEAT_CONTACT: REPEAT_CONTACT,
    Cue.STILL_BROKEN: STILL_BROKEN,
    Cue.PROFANITY: PROFANITY,
    Cue.MILD_PROFANITY: MILD_PROFANITY,
    Cue.INSULT: INSULT,
    Cue.EXASPERATION: EXASPERATION,
    Cue.SARCASM: SARCASM,
    Cue.THREAT_TO_LEAVE: THREAT_TO_LEAVE,
    Cue.FORMAL_COMPLAINT: FORMAL_COMPLAINT,
    Cue.URGENCY: URGENCY,
    Cue.PROMPT_INJECTION: PROMPT_INJECTION,
}
