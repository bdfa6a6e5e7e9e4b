"""Unmistakable phrasings per intent and language (regex fragments).

A match overrides the statistical classifier. Keep these narrow: a phrase belongs here
only if it means the intent whatever else the message says.
"""

from __future__ import annotations

from app.triage.patterns import Lexicon

_ACCOUNT_NOUN = r"(?:account|subscription|plan|contract|membership|workspace|org|organi[sz]ation)"
_DET = r"(?:my|our|the|this|your|its)"
#: An optional adjective before the account noun, but not one naming somebody else's account.
_MODIFIER = r"(?:(?!users?\b|guests?\b|members?\b|teammates?\b|test\b|service\b)\w+ )?"
#: "cancel" followed by an everyday object (a task, a meeting) is not about the subscription.
_NOT_AN_OBJECT = (
    r"(?!\s+(?:(?:a|an|the|this|that|my|our|these|those)\s+)?(?:\w+\s+)?(?:tasks?|meetings?"
    r"|invites?|invitations?|exports?|imports?|jobs?|syncs?|requests?|orders?|events?"
    r"|automations?|reminders?|notifications?|runs?|cards?(?:'s)?|boards?(?:'s)?|due dates?"
    r"|subtasks?|comments?|uploads?|changes?|edits?)\b)"
)

LEGAL: Lexicon = {
    "en": (
        r"gdpr",
        r"ccpa",
        r"lgpd",
        r"dpa",
        r"dpo",
        r"data processing (?:agreement|addendum)",
        r"sub-?processors?",
        r"subpoena(?:ed)?",
        r"court order",
        r"lawsuit",
        r"legal (?:action|proceedings|request|notice|department|team)",
        r"(?:our|my) (?:lawyers?|attorneys?|counsel|solicitors?|legal team|legal department)",
        r"breach of (?:contract|the agreement|our agreement|the msa)",
        r"right to (?:be forgotten|erasure)",
        r"data subject (?:access )?request",
        r"dsar",
        r"nda",
        r"data residency",
        r"sue (?:you|your company)",
        r"signed (?:copy of (?:the |our |your )?)?(?:dpa|msa|nda|baa|contract|agreement"
        r"|addendum|order form)",
        r"(?:sign|countersign|counter-sign|execute|e-?sign)(?:ed)? (?:the |our |your |a |an )?"
        r"(?:dpa|msa|nda|baa|contract|agreement|addendum|order form)",
        r"counter-?signature",
        r"(?:master (?:services|subscription) agreement|msa)",
        r"business associate agreement",
        r"cease and desist",
        r"(?:take|taking) (?:you|this|the matter) to court",
    ),
    "es": (
        r"rgpd",
        r"abogad[oa]s?",
        r"(?:demanda|orden|acci[oó]n(?:es)?) (?:judicial|judiciales|legal|legales)",
        r"incumplimiento (?:de|del) contrato",
        r"(?:acuerdo|contrato) de (?:tratamiento|encargo) de datos",
        r"departamento (?:legal|jurídico)",
        r"protecci[oó]n de datos",
    ),
    "de": (
        r"dsgvo",
        r"anw[aä]lt\w*",
        r"rechtsabteilung",
        r"auftragsverarbeitung\w*",
        r"avv",
        r"klage\w*",
        r"rechtliche schritte",
        r"vertragsbruch",
        r"gerichtliche\w* (?:anordnung|verfügung)",
    ),
    "fr": (
        r"rgpd",
        r"avocats?",
        r"service juridique",
        r"juridiques?",
        r"assignation",
        r"poursuites?",
        r"rupture de contrat",
        r"(?:accord|contrat) de (?:traitement|sous-traitance) des données",
    ),
    "pt": (
        r"lgpd",
        r"advogad[oa]s?",
        r"jurídico",
        r"(?:processo|medidas?|ação) (?:judicial|judiciais|legal|legais)",
        r"quebra de contrato",
        r"(?:acordo|contrato) de tratamento de dados",
    ),
    "it": (
        r"gdpr",
        r"avvocat[oi]",
        r"ufficio legale",
        r"azioni? legal[ei]",
        r"violazione del contratto",
        r"(?:accordo|contratto) (?:sul|per il) trattamento dei dati",
    ),
    "nl": (
        r"avg",
        r"advoca(?:at|ten)",
        r"juridische?",
        r"verwerkersovereenkomst",
        r"contractbreuk",
        r"rechtszaak",
    ),
    "ja": (
        r"弁護士",
        r"法的(?:措置|手段|な対応)",
        r"訴訟",
        r"個人情報保護法",
        r"契約違反",
        r"データ処理契約",
        r"GDPR",
    ),
}

SECURITY: Lexicon = {
    "en": (
        r"unauthori[sz]ed (?:access|login|logins|user|users|sign-?ins?)",
        r"security (?:breach|incident|leak|issue|vulnerability|researcher|report|problem)",
        r"data (?:breach|leak)",
        r"breach(?! of (?:contract|the agreement|our agreement|the msa))",
        r"vulnerabilit(?:y|ies)",
        r"cve-\d{4}-\d+",
        r"xss",
        r"sql injection",
        r"csrf",
        r"exploit(?:ed|s)?",
        r"phishing",
        r"compromised",
        r"(?:suspected|possible|potential) compromise",
        r"hacked",
        r"(?:leaked|exposed|stolen) (?:api |access )?(?:key|token|credentials?|password)s?",
        r"(?:api |access )?(?:key|token|credentials?|password)s? (?:was |were |got |has been )?"
        r"(?:leaked|exposed|stolen|pushed to (?:a )?public)",
        r"pushed (?:an? |our )?(?:api |access )?(?:key|token|secret)s? to (?:a )?public",
        r"suspicious (?:login|logins|activity|access|sign-?ins?|email)",
        r"pen(?:etration)? ?test\w*",
        r"soc ?2",
        r"iso ?27001",
        r"belongs? to (?:a |an )?(?:different|another|other) (?:company|customer|org"
        r"|organi[sz]ation|tenant)",
        r"(?:data|projects?|tasks?|files?) (?:from|of) (?:a |an )?(?:different|another|other)"
        r" (?:company|customer|org|organi[sz]ation|tenant)",
        r"(?:former|ex-?) ?(?:employee|contractor|colleague|member|staff)\w*[^.?!]{0,40}"
        r"\bstill (?:has|have) access",
        r"(?:login|logins|sign-?ins?|logged in|signed in)[^.?!]{0,40}\bfrom (?:an? )?"
        r"(?:ip (?:address )?)?(?:in )?(?:a |another |an unknown |a foreign |a different )?"
        r"(?:country|countries|unknown location|foreign ip)",
        r"asking (?:us |me )?to (?:re-?enter|confirm|verify|provide) (?:our|my) (?:\w+ )?"
        r"(?:password|credentials)",
        r"(?:tell|give|send|show) me (?:the |your )?(?:admin |root )?(?:password|credentials)",
        # account takeover told as an ordinary password or 2FA event
        r"(?:password|e-?mail(?: address)?|2fa|mfa|two[- ]factor|phone number|recovery (?:email"
        r"|phone|codes?))[^.?!]{0,50}\b(?:changed|reset|updated|removed|disabled|turned off)"
        r"\b[^.?!]{0,50}\b(?:wasn't|was not|weren't|were not|not) (?:me|us|anyone (?:here|on our"
        r" (?:side|team)))",
        r"(?:wasn't|was not|weren't|were not|not) (?:me|us|one of us)[^.?!]{0,30}\b(?:who|that)"
        r" (?:changed|reset|logged|signed|disabled|removed)",
        r"(?:nobody|no one|none of us|we didn't|we did not|i didn't|i did not) (?:here )?"
        r"(?:requested|ask(?:ed)? for|initiated|trigger(?:ed)?)[^.?!]{0,30}\b(?:reset|change"
        r"|code|login|sign-?in)",
        r"(?:reset|verification|login|sign-?in|2fa|mfa) (?:emails?|links?|codes?|requests?|texts?"
        r"|sms)[^.?!]{0,40}\b(?:nobody|no one|none of us) (?:here )?(?:requested|asked for)",
        r"someone (?:else )?(?:changed|reset|took over|logged into|logged in to|signed into"
        r"|is using|has access to) (?:my|our)",
        # ... or with the verb first: "someone changed the email on my account, it wasn't me"
        r"(?:changed|reset|updated|removed|disabled|turned off) (?:the |my |our )?(?:password"
        r"|e-?mail(?: address)?|2fa|mfa|two[- ]factor|phone number|recovery (?:email|phone"
        r"|codes?))\b[^.?!]{0,60}\b(?:wasn't|was not|weren't|were not|not) (?:me|us|anyone"
        r" (?:here|on our (?:side|team)))",
        r"(?:account|workspace) takeover",
        r"(?:account|workspace) (?:was|got|has been) taken over",
        r"(?:don't|do not|didn't|did not) recogni[sz]e (?:this|that|the|these|those|a|an|some)"
        r" (?:new )?(?:logins?|devices?|sign-?ins?|sessions?|locations?|ip(?: address)?(?:es)?)",
        r"logins? (?:from|at) (?:a |an )?(?:device|location|place|city|ip)s? (?:we|i) (?:don't|do"
        r" not) (?:know|recogni[sz]e)",
        # compliance documents a security or procurement review asks for
        r"security (?:questionnaire|review|assessment|audit) (?:form|document|from|for)",
        r"(?:vendor|third[- ]party) (?:security|risk) (?:assessment|review|questionnaire)",
        r"(?:caiq|sig lite|hecvat)",
        r"bridge letter",
        r"(?:pen(?:etration)?[- ]?test|audit|iso|hipaa) (?:report|summary|letter|attestation"
        r"|certificate)s?",
        # a code or reset nobody asked for, a session nobody recognises, a fake login page
        r"(?:codes?|reset (?:emails?|links?)|texts?|sms|emails?|prompts?|push(?:es)?) (?:that )?"
        r"(?:(?:i|we) (?:didn'?t|did not|never|didnt)|nobody|no one) (?:ask(?:ed)? for"
        r"|request(?:ed)?)",
        r"(?:sessions?|devices?|logins?|sign-?ins?|ips?) (?:that )?(?:i|we) (?:don'?t|do not"
        r"|didn'?t|did not|dont|didnt) (?:recogni[sz]e|know)",
        r"(?:fake|spoofed|lookalike|look-alike) (?:orbitly )?(?:login|sign-?in) (?:page|site|form)",
        r"typed (?:my|our) (?:password|credentials)[^.?!]{0,40}\b(?:fake|phish\w*|wrong site)",
        r"(?:workspace|account|company|org(?:ani[sz]ation)?|tenant) (?:that )?(?:isn'?t|is not"
        r"|isnt) (?:ours|mine)",
    ),
    "es": (
        r"c[oó]digo[^.?!¿]{0,40}\bque no (?:ped[ií]|hemos pedido|solicit[eé]|he pedido)",
        r"sesi[oó]n(?:es)? que no reconozco",
        r"sin autorizaci[oó]n",
        r"acceso no autorizado",
        r"vulnerabilidad(?:es)?",
        r"(?:fallo|falla|brecha|agujero) de seguridad",
        r"(?:se )?filtr(?:ó|aron|ado|ada|ación)",
        r"inicios? de sesi[oó]n sospechos[oa]s?",
        r"hacke(?:ado|aron|o)",
        r"comprometid[oa]s?",
    ),
    "de": (
        r"code[^.?!]{0,40}\b(?:den|die) (?:ich|wir) nicht (?:angefordert|angefragt|beantragt)",
        r"(?:sitzung|anmeldung|gerät)\w* (?:die|das) (?:ich|wir) nicht (?:kenne|kennen|erkenne)",
        r"unbefugt\w*",
        r"sicherheitslücke\w*",
        r"verdächtig\w* (?:login|logins|anmeldung\w*|zugriff\w*|aktivität\w*)",
        r"geleakt",
        r"datenleck",
        r"kompromittiert",
        r"gehackt",
    ),
    "fr": (
        r"code[^.?!]{0,40}\bque (?:je|nous) n'?(?:ai|avons) (?:pas|jamais) demandé",
        r"(?:sessions?|connexions?) que (?:je|nous) ne reconn\w* pas",
        r"non autorisée?s?",
        r"faille(?: de sécurité)?",
        r"(?:a |ont )?fuité",
        r"fuite de données",
        r"connexions? suspectes?",
        r"piraté",
        r"(?:a|ont) été compromise?s?",
    ),
    "pt": (
        r"código[^.?!]{0,40}\bque (?:não|nao) (?:pedi|pedimos|solicitei)",
        r"sess(?:ão|ões|ao|oes) que (?:não|nao) reconhe\w*",
        r"sem autorização",
        r"não autorizad[oa]",
        r"vulnerabilidades?",
        r"falha de segurança",
        r"vaz(?:ou|aram|amento)",
        r"(?:logins?|acessos?) suspeitos?",
        r"comprometid[oa]",
        r"(?:hackead|invadid)[oa]",
    ),
    "it": (
        r"codice[^.?!]{0,40}\bche non (?:ho|abbiamo) (?:richiesto|chiesto)",
        r"sessioni? che non riconosc\w*",
        r"non autorizzat[oi]",
        r"vulnerabilità",
        r"trapelat[oa]",
        r"(?:accessi|login) sospett[oi]",
        r"compromess[oa]",
        r"violazione dei dati",
    ),
    "nl": (
        r"code[^.?!]{0,40}\bdie (?:ik|we|wij) niet (?:heb|hebben) aangevraagd",
        r"sessies? die (?:ik|we|wij) niet herken\w*",
        r"onbevoegd\w*",
        r"beveiligingslek",
        r"datalek",
        r"uitgelekt",
        r"verdachte (?:login|logins|activiteit|toegang)",
        r"gehackt",
        r"gecompromitteerd",
    ),
    "ja": (
        r"不正アクセス",
        r"脆弱性",
        r"漏洩",
        r"漏えい",
        r"流出",
        r"乗っ取",
        r"不審なログイン",
        r"(?:頼んで|依頼して|リクエストして|要求して)(?:い)?ない(?:認証)?コード",
        r"身に覚えのない(?:ログイン|セッション|コード|メール)",
    ),
}

BILLING_DISPUTE: Lexicon = {
    "en": (
        r"refund(?:ed|s|ing)?(?! polic)",
        r"money back",
        r"charge-?backs?",
        r"(?:charged|billed|debited|invoiced) (?:us |me )?(?:twice|double|two times)",
        r"double[- ](?:charged|billed|charge)",
        r"duplicate (?:charge|payment|invoice)",
        r"over-?(?:charged|billed|charging|billing)",
        r"dispute (?:the |this |a |an )?(?:charge|invoice|amount|payment|bill)",
        r"(?:did not|didn't|never) (?:authori[sz]e|approve|order|agree to)",
        r"unauthori[sz]ed (?:charge|payment|transaction|debit)s?",
        r"(?:charged|billed) (?:us |me )?after (?:we |i )?(?:cancel|cancelled|canceled)",
        r"charged after cancel\w*",
        r"revers(?:e|ed|al of) (?:the |this |that )?(?:charge|payment|transaction|invoice)",
        r"(?:need|want) (?:that|this|it) reversed",
        r"reimburs\w*",
        r"compensations?",
        r"restitutions?",
        r"(?:ask|demand|request|get|receive|obtain|claim)(?:s|ed|ing)? (?:for )?"
        r"(?:a |an |my |our |the )?rebates?",
        r"rebat\w* \$?\d[\d,.]*",
        r"(?:won't|will not|refuse to|not going to) pay (?:for )?(?:that|this|it|the invoice)",
        r"(?:paying|charged|billed|charging|billing|invoiced) (?:us |me )?for \d+ (?:seats|users"
        r"|licen[cs]es)[^.?!]{0,30}\b(?:but|when|although|while|yet)\b",
        r"(?:renewed|charged|billed|raised|increased)\b[^.?!]{0,40}\bwithout (?:telling|notice"
        r"|notifying|warning|asking|consent|any notice)",
        r"don't recogni[sz]e (?:this|the|a) (?:charge|payment|transaction)",
    ),
    "es": (
        r"reembols\w*",
        r"devoluci[oó]n del? (?:dinero|cobro|importe|pago)",
        r"devuelvan (?:el|mi|nuestro) dinero",
        r"cobr(?:ado|aron|an|ó) dos veces",
        r"(?:cobro|cargo)s? (?:duplicado|indebido|no autorizado)s?",
        r"no reconozco (?:este|el|ese) (?:cargo|cobro)",
        r"contracargo",
    ),
    "de": (
        r"rückerstattung",
        r"erstatten",
        r"(?:geld|betrag) zurück",
        r"doppelt (?:belastet|abgebucht|berechnet|bezahlt)",
        r"(?:abbuchung|belastung) (?:haben wir )?nicht autorisiert",
        r"rückbuchung",
        r"zu viel berechnet",
    ),
    "fr": (
        r"rembours\w*",
        r"(?:prélevés?|facturés?|débités?) deux fois",
        r"contest(?:ons|er|e) (?:ce|le|la|cette) (?:prélèvement|paiement|facture|débit)",
        r"récupérer (?:mon|notre) argent",
        r"trop[- ]perçu",
    ),
    "pt": (
        r"reembols\w*",
        r"estorno",
        r"dinheiro de volta",
        r"cobr(?:ados?|aram|ou) (?:duas vezes|em dobro)",
        r"cobrança (?:duplicada|indevida)",
        r"contestar (?:a|essa|esta) cobrança",
    ),
    "it": (
        r"rimbors\w*",
        r"addebitat\w* due volte",
        r"addebito non autorizzato",
        r"contestiamo (?:questo|l')\s?addebito",
        r"soldi indietro",
    ),
    "nl": (
        r"terugbetal\w*",
        r"terugstort\w*",
        r"geld terug",
        r"dubbel (?:gefactureerd|afgeschreven|betaald|gerekend)",
        r"(?:afschrijving|betaling|transactie)[^.?!]{0,30}niet goedgekeurd",
    ),
    "ja": (r"返金", r"二重(?:に)?請求", r"身に覚えのない請求", r"請求を取り消"),
}

CANCELLATION: Lexicon = {
    "en": (
        rf"cancel(?:l?ing)? (?:{_DET} )?{_MODIFIER}(?:{_ACCOUNT_NOUN}|seats|renewal)s?",
        rf"(?:clos(?:e|ing)|delet(?:e|ing)|terminat(?:e|ing)|deactivat(?:e|ing)|remov(?:e|ing)"
        rf"|end(?:ing)?|shut(?:ting)? down) (?:{_DET}|an?) {_MODIFIER}{_ACCOUNT_NOUN}s?",
        r"(?:account|subscription|workspace)\b[^.?!]{0,40}\b(?:clos(?:e|ing)|delet(?:e|ing)"
        r"|terminat(?:e|ing)|cancel(?:l?ing)?|remov(?:e|ing)) it\b",
        rf"{_ACCOUNT_NOUN} (?:deletion|removal|termination|closure|cancellation)s?",
        rf"(?:termination|cancellation|closure|deletion|removal) (?:{_MODIFIER}){{1,3}}"
        rf"{_ACCOUNT_NOUN}",
        r"(?:don't|do not|won't|will not|not going to|won't be|not) renew(?:ing)?",
        r"(?:turn off|disable|stop|cancel) (?:the )?auto-?renew(?:al)?",
        rf"(?:want|like|need|wish|going|how) to cancel{_NOT_AN_OBJECT}",
        rf"how (?:do|can|should) (?:i|we) cancel{_NOT_AN_OBJECT}",
        r"cancel everything",
        r"unsubscribe from (?:the |our )?(?:paid|pro|business|team)",
        r"(?:won't|will not|not) be renewing",
        r"(?:not|aren't|are not|isn't|is not) (?:planning|going) to renew",
        r"(?:moving|switching|migrating|going over|move|switch|migrate) (?:over )?(?:away from"
        r" (?:you|northwind)|to (?:a |another )?(?:competitor|different (?:tool|vendor|provider"
        r"|product)|other (?:tool|vendor|provider|product)))",
        r"(?:evaluating|looking at|considering|trialing|trialling) (?:other |alternative )"
        r"(?:tools|vendors|options|solutions|providers|products)",
        r"(?:evaluating|looking at|considering) alternatives",
    ),
    "es": (
        r"cancelar (?:la |mi |nuestra |el |nuestro )?(?:suscripci[oó]n|cuenta|contrato|plan"
        r"|abono)",
        r"(?:dar|den|darme|darnos|demos) de baja",
        r"no (?:vamos a|queremos) renovar",
        r"(?:eliminar|borrar|cerrar|cierren|elimino|borro|cierro) (?:mi|nuestra|la|nuestro|el)"
        r" (?:cuenta|espacio)",
        r"rescindir",
    ),
    "de": (
        r"kündig\w*",
        r"nicht (?:mehr )?verlängern",
        r"(?:konto|account|workspace|abo|abonnement) (?:löschen|schließen|beenden)",
        r"lösche ich (?:mein|unser)",
    ),
    "fr": (
        r"résili\w*",
        r"annuler (?:mon |notre |l'|le |la )?(?:abonnement|compte|contrat|souscription)",
        r"ne (?:pas )?(?:le )?renouvel\w*",
        r"ne renouvellerons pas",
        r"(?:supprimer|fermer|clôturer) (?:mon|notre) (?:compte|espace)",
    ),
    "pt": (
        r"cancelar (?:a |o |minha |nossa |meu |nosso )?(?:assinatura|conta|plano|contrato)",
        r"não vamos renovar",
        r"(?:excluir|excluo|encerrar|encerrem|fechar|apagar) (?:a |minha |nossa )?conta",
        r"rescindir",
    ),
    "it": (
        r"disdir\w*",
        r"disdetta",
        r"(?:cancellare|cancello|chiudere|chiudete|eliminare) (?:il mio |il nostro |l')?"
        r"(?:account|abbonamento|spazio)",
        r"non rinnover\w*",
    ),
    "nl": (
        r"opzeg\w*",
        r"(?:account|abonnement) (?:verwijderen|opheffen|beëindigen)",
        r"niet (?:meer )?verlengen",
        r"verwijder ik (?:mijn|ons) account",
    ),
    "ja": (
        r"解約",
        r"退会",
        r"契約を更新しない",
        r"アカウント(?:を)?削除",
        r"(?:サブスクリプション|契約)を(?:キャンセル|終了)",
    ),
}

_PERSON = (
    r"(?:a |an |the |some |your |our |one of your )?(?:real |actual |live |human |proper )?"
    r"(?:human|person|people|agent|operator|representative|rep|somebody|someone|manager"
    r"|supervisor|support engineer|engineer|account manager|csm|assistant|staff member"
    r"|customer (?:service|support|care|assistance))"
)

HUMAN_REQUEST: Lexicon = {
    "en": (
        rf"(?:talk|speak|chat|(?:get|hop|jump) on a call|call) (?:to|with) {_PERSON}",
        rf"(?:get|put|transfer|connect|escalate|pass) (?:me |us |this )?(?:to |with )?{_PERSON}",
        rf"(?:reach|contact|contacting|get in touch with|call|calling) {_PERSON}",
        r"(?:is|are) (?:there|anyone) (?:a |an |any )?(?:real |actual |live )?(?:human|person"
        r"|people)",
        r"(?:can|could|would|will) (?:a|an|some) ?(?:real |actual )?(?:human|person|agent"
        r"|engineer) (?:please )?(?:respond|reply|help|answer|look)",
        r"not (?:a|the|your) (?:bot|robot|ai)",
        r"(?:someone|somebody|anyone|anybody) from (?:your |the )?(?:support )?(?:team|support"
        r"|staff|side)[^.?!]{0,40}\b(?:call|phone|live|screen ?share|meeting|zoom|talk|speak"
        r"|chat|reach out|get in touch|contact (?:me|us)|with me|with us)",
        r"(?:account manager|csm|customer success manager)[^.?!]{0,20}\b(?:reach out|call"
        r"|contact|get in touch)",
        r"get me your (?:supervisor|manager|boss)",
        r"(?<!our )(?<!my )customer ?(?:service|support|care|assistance)",
    ),
    "es": (
        r"hablar con (?:una |un |alguien|algún |el |la )?(?:persona|humano|agente|responsable"
        r"|operador|asesor|encargado|supervisor|alguien)",
        r"p[aá]s(?:e|a)nme con",
        r"atenci[oó]n al cliente",
        r"no (?:con )?(?:un )?bot",
    ),
    "de": (
        r"mit (?:einem|einer)(?: echten| realen| menschlichen)? (?:menschen|person"
        r"|mitarbeiter\w*|berater\w*|ansprechpartner\w*|agenten)",
        r"mit jemandem (?:vom support |von ihnen |aus ihrem team )?(?:sprechen|reden)",
        r"verbinden sie mich",
        r"(?:kann|könnte) mich (?:bitte )?jemand[^.?!]{0,20}\banrufen",
    ),
    "fr": (
        r"parler (?:à|a|avec) (?:un |une |quelqu'un|un vrai |une vraie )?(?:humain|personne"
        r"|conseiller|conseillère|agent|opérateur|responsable|quelqu'un)",
        r"passez-moi",
        r"quelqu'un[^.?!]{0,30}\bm'appeler",
    ),
    "pt": (
        r"falar com (?:uma |um |alguém|algum )?(?:pessoa|humano|atendente|agente|responsável"
        r"|alguém)",
        r"me pass(?:em|e|a) para",
        r"atendente humano",
        r"alguém[^.?!]{0,30}\bme ligar",
    ),
    "it": (
        r"parlare con (?:una |un |qualcuno)?(?:persona|umano|operatore|agente|responsabile"
        r"|qualcuno)",
        r"passatemi",
        r"qualcuno[^.?!]{0,30}\bchiamarmi",
    ),
    "nl": (
        r"(?:praten|spreken) met (?:een|iemand)",
        r"iemand[^.?!]{0,30}\b(?:spreken|bellen|praten)",
        r"met een mens",
        r"verbind me door",
        r"doorverbinden",
    ),
    "ja": (
        r"(?:担当者|オペレーター|人間|スタッフ|サポートの方)(?:の方)?(?:と|に)(?:直接)?"
        r"(?:話|つな|繋|相談|代わ)",
        r"電話(?:を)?(?:ください|もらえ|いただけ)",
    ),
}

OUTAGE: Lexicon = {
    "en": (
        r"outages?",
        r"(?:is|are) (?:the |your )?(?:\w+ )?(?:site|app|service|platform|api|orbitly|server"
        r"|servers|system|everything|it|you) (?:down|offline|unreachable|unavailable)",
        r"(?:site|app|service|platform|api|server|servers|system|everything|dashboards?"
        r"|web app) (?:is |are |seems |looks |went |has been |have been )(?:completely |totally "
        r"|still )?(?:down|offline|unreachable|unavailable)",
        r"down (?:again|for (?:everyone|everybody|all|us all))",
        r"(?:down|unavailable|unreachable|times? out|timing out|not loading|won't load)"
        r" for (?:everyone|everybody|all (?:of )?(?:our |the )?users|anyone|the whole)",
        r"(?:nothing|no ?one|nobody) (?:is )?(?:loading|loads|can (?:log in|load|access|get in"
        r"|open))",
        r"(?:50[234]|bad gateway|gateway time-?outs?|service unavailable)",
        r"(?:service disruption|degraded performance|known incident|an incident)",
    ),
    "es": (
        r"ca[ií]d[oa]",
        r"fuera de servicio",
        r"nadie (?:en|de|del) [^.?!]{0,30}\bpuede",
        r"interrupci[oó]n del servicio",
    ),
    "de": (
        r"ausgefallen",
        r"störung",
        r"nicht erreichbar",
        r"(?:ist|sind) [^.?!]{0,20}\bdown",
        r"niemand [^.?!]{0,30}\b(?:kann|können)",
        r"überall 50[234]",
    ),
    "fr": (
        r"en panne",
        r"une panne",
        r"(?:site|service|plateforme) (?:est )?(?:inaccessible|indisponible)",
        r"personne [^.?!]{0,20}\bne peut",
    ),
    "pt": (
        r"fora do ar",
        r"(?:sistema|site|plataforma|serviço) (?:caiu|está indisponível)",
        r"ninguém [^.?!]{0,30}\bconsegue",
    ),
    "it": (
        r"non (?:è )?raggiungibile",
        r"è giù",
        r"disservizio",
        r"nessuno [^.?!]{0,30}\briesce",
    ),
    "nl": (r"storing", r"onbereikbaar", r"(?:is|ligt) (?:\w+ )?plat", r"niemand [^.?!]{0,30}\bkan"),
    "ja": (
        r"障害",
        r"落ちて",
        r"ダウンして",
        r"(?:繋|つな)がらな",
        r"全員[^。]{0,20}(?:開け|使え)",
    ),
}

#: What a customer lost: their data or what the product holds (not a password, access).
_HELD = (
    r"(?:data|projects?|tasks?|subtasks?|records?|files?|boards?|attachments?|comments?"
    r"|documents?|entries|rows|values|checklists?|notes|history|content|contacts|work|progress"
    r"|dashboards?|reports?|workspaces?|timesheets?)"
    # ... as the thing itself, not as a modifier ("our work phone", "the report link")
    r"(?! (?:phones?|laptops?|computers?|devices?|passwords?|access|connection|keys?|e-?mails?"
    r"|logins?|links?|urls?|invites?|invitations?|templates?|permissions?|settings?|views?"
    r"|filters?|columns?|owners?|names?|titles?|buttons?|options?|features?)\b)"
)
#: "missing" only when nothing follows it that it is missing ("the report is missing a column").
_MISSING = (
    r"missing(?=\s*(?:$|[^\w\s]|(?:from|since|after|in|on|again|now|today|entirely|completely"
    r"|and|but|too)\b))"
)
_GONE = rf"(?:gone|{_MISSING}|lost|deleted|wiped(?: out)?|erased|vanished|disappeared|destroyed)"
_TOOL_RUN = (
    r"(?:sync|synch?ronization|import|export|migration|update|upgrade|integration|bulk edit"
    r"|automation|script|restore|backup|merge)"
)
_RUN_DET = r"(?:the|our|an?|this|that|last night's|yesterday's|today's)"
#: "without losing", "afraid of losing": a worry or a condition, not a loss.
_NOT_A_WORRY = (
    r"(?<!without )(?<!w/o )(?<!of )(?<!avoid )(?<!risk )(?<!prevent )(?<!stop )(?<!not )"
    r"(?<!never )"
)

DATA_LOSS: Lexicon = {
    "en": (
        rf"{_NOT_A_WORRY}(?<!no )(?<!any )data loss",
        rf"{_NOT_A_WORRY}(?:lost|losing) (?:all |some |most |half |a lot |lots |weeks |months "
        rf"|years |days )?(?:of )?(?:our |my |the |their |its |all )?(?:\w+ )?{_HELD}",
        rf"(?:our|my|the|all|all of our|all of my|all the|its|their) (?:\w+ )?{_HELD} (?:is|are"
        r"|has|have|was|were|got|seems?|seem to be|appears? to be)(?: been| just| all"
        rf"| completely| suddenly| now| simply)* {_GONE}",
        rf"{_HELD} (?:\w+ )?(?:have |has |just |all |suddenly |completely )*(?:disappeared"
        r"|vanished|went missing|gone missing|been (?:deleted|wiped|erased|lost))",
        # "tasks I created on Friday are just gone", "the history for last quarter is missing"
        rf"{_HELD}\b[^.?!]{{0,40}}\b(?:are|is|were|was|have|has|got)(?: just| all| completely"
        rf"| simply| now| been)* (?:gone|vanished|disappeared|{_MISSING})",
        rf"{_HELD}\b[^.?!]{{0,40}}\b(?:got|have been|has been) (?:all |just |completely )?"
        r"(?:deleted|wiped|erased)",
        rf"(?:hours|days|weeks|months|years) of (?:\w+ )?{_HELD} (?:\w+ )?(?:lost|gone|wiped"
        r"|deleted|erased)",
        r"everything(?:'s| is| was| has| got| just| been| now| simply)+ (?:gone|deleted|wiped"
        r"|erased|lost|disappeared|vanished)",
        rf"{_RUN_DET} (?:\w+ ){{0,2}}{_TOOL_RUN} (?:just |has |have |had |also |somehow "
        r"|completely |accidentally |apparently |then )*(?:deleted|wiped|erased|overwrote"
        r"|destroyed)",
        rf"{_RUN_DET} (?:\w+ ){{0,2}}{_TOOL_RUN}\b[^.?!]{{0,40}}\b(?:(?:deleted|wiped(?: out)?"
        r"|erased|overwrote|destroyed) (?:all|every|our|my|the|half|most|some|everything)"
        r"|removed (?:all|every|everything))\b",
        r"wiped (?:out )?(?:all|every|everything|our|my|the whole|half|most)\b",
        rf"(?:gone|{_MISSING}|lost|wiped|erased|vanished|disappeared) after (?:the |our |an? |this"
        rf" |that |last night's |yesterday's )?(?:\w+ ){{0,2}}{_TOOL_RUN}",
        r"(?:data|database|records?) (?:is |are |was |were |got |has been |have been )?"
        r"corrupt(?:ed)?",
        rf"(?:can't|cannot|can not|couldn't) (?:find|see) (?:any of )?(?:our|my) (?:\w+ )?{_HELD}"
        r" (?:anymore|any more)",
    ),
    "es": (
        r"p[eé]rdida de (?:datos|informaci[oó]n)",
        r"(?:perdimos|perd[ií]|hemos perdido|he perdido|se (?:perdieron|perdi[oó]|borraron"
        r"|borr[oó]|eliminaron|elimin[oó])) (?:todos |todas |todo )?(?:los |las |el |la |nuestros"
        r" |nuestras |mis )?(?:datos|proyectos|tareas|registros|archivos|tableros|informaci[oó]n)",
        r"(?:datos|proyectos|tareas|registros|archivos|tableros)\b[^.?!]{0,40}\b(?:han |se han )?"
        r"(?:desaparecido|desaparecieron|borrado|perdido)",
        r"desaparec(?:ieron|i[oó]) (?:todos |todas |todo )?(?:los |las |nuestros |nuestras |mis )?"
        r"(?:datos|proyectos|tareas|registros|archivos|tableros)",
        r"(?:sincronizaci[oó]n|exportaci[oó]n|importaci[oó]n|migraci[oó]n|actualizaci[oó]n)"
        r" (?:\w+ )?(?:borr[oó]|elimin[oó]|sobrescribi[oó])",
    ),
    "de": (
        r"datenverlust\w*",
        r"(?:unsere|meine|die|alle|sämtliche) (?:\w+ )?\w*(?:daten|projekte|aufgaben|datensätze"
        r"|einträge|dateien|boards) (?:sind|wurden|waren) (?:\w+ )?(?:weg|verschwunden|gelöscht"
        r"|verloren|überschrieben)",
        r"(?:sind|waren|wurden) (?:\w+ )?(?:unsere|meine|alle|die|sämtliche) (?:\w+ )?\w*(?:daten"
        r"|projekte|aufgaben|datensätze|einträge|dateien) (?:\w+ )?(?:weg|verschwunden|gelöscht"
        r"|verloren|überschrieben)",
        r"\w*(?:projekte|aufgaben|datensätze|einträge|dateien|daten) (?:sind )?(?:alle |einfach "
        r"|komplett |plötzlich )*(?:weg|verschwunden)",
        r"(?:haben|habe) (?:\w+ )?(?:alle |all |sämtliche )?(?:unsere |meine |die )?(?:\w+ )?"
        r"\w*(?:daten|projekte|aufgaben|datensätze|dateien) verloren",
        r"(?:synchronisierung|sync|export|import|migration|update) hat (?:\w+ ){0,3}"
        r"(?:gelöscht|überschrieben)",
    ),
    "fr": (
        r"(?<!risque de )(?<!sans )pertes? de données",
        r"(?:données|projets|tâches|fichiers|enregistrements)\b[^.?!]{0,40}\b(?:ont|sont)"
        r" (?:\w+ )?(?:disparu|perdu|perdues|effacées|supprimé|supprimées|écrasées)",
        r"(?:nous avons|j'ai|on a) perdu (?:tous |toutes )?(?:nos|mes|les) (?:\w+ )?(?:données"
        r"|projets|tâches|fichiers|enregistrements)",
        r"(?:synchronisation|synchro|exportation|importation|export|import|migration|mise à jour)"
        r" a (?:tout )?(?:effacé|supprimé|écrasé)",
    ),
    "pt": (
        r"(?<!risco de )(?<!sem )perda de dados",
        r"(?:dados|projetos|tarefas|registros|arquivos)\b[^.?!]{0,40}\b(?:sumiram|desapareceram"
        r"|foram apagad[oa]s|foram perdid[oa]s|foram excluíd[oa]s)",
        r"(?:perdemos|perdi) (?:todos |todas )?(?:os |as |nossos |nossas |meus |minhas )?(?:dados"
        r"|projetos|tarefas|registros|arquivos)",
        r"(?:sincronização|exportação|importação|migração|atualização) (?:\w+ )?(?:apagou|excluiu"
        r"|deletou)",
    ),
    "it": (
        r"(?<!rischio di )(?<!senza )perdita di dati",
        r"(?:dati|progetti|record|file|attività)\b[^.?!]{0,40}\b(?:sono )?(?:\w+ )?(?:spariti"
        r"|sparite|scomparsi|scomparse|persi|cancellati)",
        r"(?:abbiamo|ho) perso (?:tutti |tutte )?(?:i |le )?(?:nostri |nostre |miei |mie )?"
        r"(?:dati|progetti|attività|record|file)",
        r"(?:sincronizzazione|esportazione|importazione|migrazione|aggiornamento) ha (?:\w+ )?"
        r"(?:cancellato|eliminato|sovrascritto)",
    ),
    "nl": (
        r"dataverlies",
        r"(?:onze|mijn|de|al onze|al mijn|alle) (?:\w+ )?\w*(?:data|gegevens|projecten|taken"
        r"|bestanden) (?:is|zijn) (?:\w+ )?(?:weg|verdwenen|verloren|gewist|verwijderd)",
        r"(?:we zijn|ik ben|wij zijn) (?:\w+ ){0,5}?\w*(?:data|gegevens|projecten|taken"
        r"|bestanden)\b(?: \w+){0,3} kwijt",
        r"\w*(?:projecten|taken|records|bestanden|gegevens) (?:zijn )?(?:\w+ )?verdwenen",
        r"(?:synchronisatie|sync|export|import|migratie|update) heeft (?:\w+ ){0,2}"
        r"(?:gewist|verwijderd|overschreven)",
    ),
    "ja": (
        r"データ(?:が|を)?(?:全て|すべて|全部)?(?:消え|消失|なくな|無くな|失われ|飛んだ|飛んで)",
        r"(?:プロジェクト|タスク|レコード|ファイル|ボード)(?:が)?(?:全て|すべて|全部)?"
        r"(?:消え|なくな|無くな|消失)",
        r"(?:同期|エクスポート|インポート|移行|アップデート)[^。]{0,20}(?:消え|削除され|消失)",
    ),
}

#: Billing vocabulary: a how-to question about these is a billing question.
BILLING_TOPIC: Lexicon = {
    "en": (
        r"invoices?",
        r"bills?",
        r"billing",
        r"receipts?",
        r"payment (?:methods?|options?|modalities|modes?|types?)",
        r"(?:vat|tax) (?:id|number)",
    ),
    "es": (r"facturas?", r"facturaci[oó]n", r"m[eé]todos? de pago", r"formas? de pago"),
    "de": (r"rechnung\w*", r"zahlungsmethode\w*", r"zahlungsart\w*"),
    "fr": (r"factures?", r"facturation", r"moyens? de paiement"),
    "pt": (r"faturas?", r"cobrança", r"formas? de pagamento", r"nota fiscal"),
    "it": (r"fattur[ae]", r"metodi di pagamento", r"metodo di pagamento"),
    "nl": (r"factu(?:ur|ren)", r"facturatie", r"betaalmethoden?"),
    "ja": (r"請求書", r"支払い方法", r"領収書"),
}

#: A question about the refund policy, not a claim: a billing question. A billing-dispute
#: phrase inside one of these ("in which cases can I request a refund") is not a dispute.
REFUND_POLICY_QUESTION: Lexicon = {
    "en": (
        r"(?:in |under )?(?:what|which) (?:cases|case|situations?|circumstances|conditions)"
        r"\b[^.?!]{0,40}\b(?:refund\w*|reimburs\w*|money back)",
        r"(?:refund|money[- ]back|reimbursement) (?:guarantee|polic(?:y|ies)|terms|rules"
        r"|conditions|eligibility)",
        r"(?:do|does) (?:you|orbitly|your company) (?:offer|have|give|provide) (?:a |any )?"
        r"(?:refunds?|money[- ]back|reimbursements?)",
        r"(?:are|is) (?:refunds?|reimbursements?) (?:possible|available|offered)",
        r"eligible for (?:a )?refunds?",
    ),
    "es": (
        r"pol[ií]tica de (?:reembolsos?|devoluci[oó]n(?:es)?)",
        r"(?:en )?qu[eé] (?:casos|situaciones)\b[^.?!¿]{0,40}\breembols\w*",
    ),
    "de": (
        r"(?:rück)?erstattungs(?:richtlinie|bedingungen|regeln)\w*",
        r"in welchen f[aä]llen\b[^.?!]{0,40}\b(?:rückerstattung|erstatt\w*|geld zurück)",
    ),
    "fr": (
        r"politique de remboursement",
        r"dans quels cas\b[^.?!]{0,40}\brembours\w*",
    ),
    "pt": (
        r"pol[ií]tica de (?:reembolso|devolu[cç][aã]o)",
        r"em que casos\b[^.?!]{0,40}\breembols\w*",
    ),
    "it": (
        r"politica di rimborso",
        r"in quali casi\b[^.?!]{0,40}\brimbors\w*",
    ),
    "nl": (
        r"(?:terugbetalings|restitutie)beleid",
        r"in welke gevallen\b[^.?!]{0,40}\b(?:terugbetal\w*|geld terug)",
    ),
    "ja": (r"返金(?:ポリシー|規定|条件)",),
}

#: A negation ending right where a cancellation or human-request phrase starts
#: ("we don't want to | cancel", "no need to | talk to a human") cancels the match.
NEGATION_BEFORE: Lexicon = {
    "en": (
        r"(?:don't|dont|do not|doesn't|does not|didn't|did not|not|never|won't|will not)"
        r"(?: (?:want|need|plan|planning|intend|intending|wish|going|trying|looking|asking"
        r"|mean|meaning|have))?(?: to)?",
        r"no need to",
        r"without (?:having to|needing to)",
    ),
    "de": (r"(?:nicht|kein\w*)(?: vor| geplant)?",),
    "fr": (r"pas (?:l'intention|besoin) de", r"ne (?:veux|voulons) pas"),
    "es": (r"no (?:quiero|queremos|necesito|necesitamos|pensamos|vamos a)",),
    "pt": (r"não (?:quero|queremos|preciso|precisamos|pretendemos|vamos)",),
    "it": (r"non (?:voglio|vogliamo|intendiamo|abbiamo bisogno di)",),
    "nl": (r"(?:niet|geen) (?:van plan|nodig)",),
}
