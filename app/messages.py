"""What the customer reads when a conversation goes to a person, in their own language.

Built-in wording for :data:`SUPPORTED_LANGUAGES`; any other language reads English. The config
file's ``messages`` section overrides templates per language and key; a language without a
built-in wording may be given its own templates there (missing keys still fall back to English).
Templates are ``str.format`` strings whose placeholders are listed in :data:`PLACEHOLDERS`.
"""

from __future__ import annotations

import string
from collections.abc import Mapping
from types import MappingProxyType

Overrides = Mapping[str, Mapping[str, str]]

FALLBACK_LANGUAGE = "en"

#: Template key -> the placeholders its template may use (and ``render`` requires).
PLACEHOLDERS: Mapping[str, frozenset[str]] = MappingProxyType(
    {
        "transition.billing": frozenset({"customer"}),
        "transition.technical": frozenset({"customer"}),
        "transition.account_management": frozenset({"customer"}),
        "transition.trust": frozenset({"customer"}),
        "transition.general": frozenset({"customer"}),
        "wait": frozenset({"wait"}),
        "wait.minutes": frozenset({"n"}),
        "wait.hours": frozenset({"n"}),
        "wait.unknown": frozenset(),
        "follow_up.button": frozenset(),
        "follow_up.chosen": frozenset({"window"}),
        "queue.position": frozenset({"n"}),
        "follow_up.email_button": frozenset(),
        "follow_up.email_chosen": frozenset({"window"}),
        "follow_up.email_missing": frozenset(),
        "email.subject": frozenset({"reference"}),
        "email.body": frozenset({"reference", "window"}),
        "joined": frozenset({"agent"}),
        "closing": frozenset(),
    }
)
TEMPLATE_KEYS: tuple[str, ...] = tuple(PLACEHOLDERS)

_DEFAULTS: dict[str, dict[str, str]] = {
    "en": {
        "transition.billing": "Thanks {customer}, I'm bringing in someone from our billing team, "
        "and they'll see everything we've discussed so you won't need to repeat yourself.",
        "transition.technical": "Thanks {customer}, I'm handing this to one of our technical "
        "specialists. They'll have this whole thread in front of them, so there's no need to "
        "explain it again.",
        "transition.account_management": "Thanks {customer}, I'm connecting you with our "
        "account team, who can walk through your plan and options with you. They'll have the "
        "full conversation, so you won't have to start over.",
        "transition.trust": "Thanks {customer}, I'm bringing in our security and privacy team, "
        "who handle questions like this with the care they deserve. They'll see everything "
        "shared here, so you won't need to repeat yourself.",
        "transition.general": "Thanks {customer}, I'm bringing in a member of our support team. "
        "They can read this whole conversation, so there's nothing you need to repeat.",
        "wait": "Expected wait: {wait}.",
        "wait.minutes": "about {n} minutes",
        "wait.hours": "about {n} hours",
        "wait.unknown": "within business hours",
        "follow_up.button": "Follow up later",
        "follow_up.chosen": "No problem, we'll follow up right here in this thread within "
        "{window}.",
        "queue.position": "You are number {n} in the queue.",
        "follow_up.email_button": "Email me instead",
        "follow_up.email_chosen": "No problem, we'll follow up by email within {window}.",
        "follow_up.email_missing": "We couldn't find an email address on your Slack profile, "
        "so we'll follow up right here in this thread.",
        "email.subject": "Your support request {reference}",
        "email.body": "Thanks for your patience. A member of our support team will reply to "
        "your request {reference} by email within {window}.",
        "joined": "{agent} from our team has joined and is reading the conversation.",
        "closing": "This conversation is resolved. Thanks for your patience, and reply here if "
        "anything else comes up.",
    },
    "es": {
        "transition.billing": "Gracias, {customer}. Voy a pasar su consulta a alguien de nuestro "
        "equipo de facturación, que verá todo lo que hemos hablado; no tendrá que repetir nada.",
        "transition.technical": "Gracias, {customer}. Le paso esto a uno de nuestros "
        "especialistas técnicos. Tendrá delante toda esta conversación, así que no hace falta "
        "que vuelva a explicarlo.",
        "transition.account_management": "Gracias, {customer}. Le pongo en contacto con nuestro "
        "equipo de cuentas, que podrá revisar con usted su plan y sus opciones. Tendrán toda la "
        "conversación, así que no tendrá que empezar de cero.",
        "transition.trust": "Gracias, {customer}. Voy a incorporar a nuestro equipo de "
        "seguridad y privacidad, que trata estos temas con el cuidado que merecen. Verán todo lo "
        "que se ha compartido aquí, así que no tendrá que repetir nada.",
        "transition.general": "Gracias, {customer}. Le paso con una persona de nuestro equipo de "
        "soporte, que podrá leer esta conversación completa: no hace falta que repita nada.",
        "wait": "Tiempo de espera estimado: {wait}.",
        "wait.minutes": "unos {n} minutos",
        "wait.hours": "unas {n} horas",
        "wait.unknown": "dentro del horario laboral",
        "follow_up.button": "Contactarme más tarde",
        "follow_up.chosen": "Perfecto, le responderemos aquí mismo, en este hilo, en un plazo "
        "de {window}.",
        "queue.position": "Usted es el número {n} en la cola.",
        "follow_up.email_button": "Prefiero por correo",
        "follow_up.email_chosen": "Perfecto, le responderemos por correo en un plazo de {window}.",
        "follow_up.email_missing": "No encontramos un correo en su perfil de Slack, así que le "
        "responderemos aquí mismo, en este hilo.",
        "email.subject": "Su solicitud de soporte {reference}",
        "email.body": "Gracias por su paciencia. Alguien de nuestro equipo de soporte "
        "responderá a su solicitud {reference} por correo en un plazo de {window}.",
        "joined": "{agent}, de nuestro equipo, se ha unido y está leyendo la conversación.",
        "closing": "Esta conversación está resuelta. Gracias por su paciencia; si surge "
        "cualquier otra cosa, escríbanos aquí.",
    },
    "de": {
        "transition.billing": "Danke, {customer}! Ich hole jemanden aus unserem Abrechnungsteam "
        "dazu. Dort ist unser gesamter Verlauf sichtbar, Sie müssen also nichts wiederholen.",
        "transition.technical": "Danke, {customer}! Ich gebe Ihr Anliegen an unsere technischen "
        "Fachleute weiter. Sie sehen den kompletten Thread, Sie müssen also nichts noch einmal "
        "erklären.",
        "transition.account_management": "Danke, {customer}! Ich verbinde Sie mit unserem "
        "Account-Team, das Ihren Tarif und Ihre Möglichkeiten mit Ihnen durchgeht. Der ganze "
        "Verlauf liegt dort vor, Sie müssen also nicht von vorn anfangen.",
        "transition.trust": "Danke, {customer}! Ich ziehe unser Team für Sicherheit und "
        "Datenschutz hinzu, das solche Anliegen mit der nötigen Sorgfalt behandelt. Alles, was "
        "Sie hier geteilt haben, ist dort sichtbar, Sie müssen nichts wiederholen.",
        "transition.general": "Danke, {customer}! Ich hole jemanden aus unserem Support-Team "
        "dazu, der das ganze Gespräch lesen kann. Sie müssen also nichts wiederholen.",
        "wait": "Voraussichtliche Wartezeit: {wait}.",
        "wait.minutes": "etwa {n} Minuten",
        "wait.hours": "etwa {n} Stunden",
        "wait.unknown": "innerhalb unserer Geschäftszeiten",
        "follow_up.button": "Später Rückmeldung",
        "follow_up.chosen": "Kein Problem, wir melden uns innerhalb von {window} hier im Thread "
        "bei Ihnen.",
        "queue.position": "Sie sind Nummer {n} in der Warteschlange.",
        "follow_up.email_button": "Lieber per E-Mail",
        "follow_up.email_chosen": "Kein Problem, wir melden uns innerhalb von {window} per E-Mail.",
        "follow_up.email_missing": "In Ihrem Slack-Profil ist keine E-Mail-Adresse hinterlegt, "
        "daher melden wir uns hier im Thread.",
        "email.subject": "Ihre Supportanfrage {reference}",
        "email.body": "Danke für Ihre Geduld. Jemand aus unserem Support-Team beantwortet Ihre "
        "Anfrage {reference} innerhalb von {window} per E-Mail.",
        "joined": "{agent} aus unserem Team ist jetzt dabei und liest den Verlauf.",
        "closing": "Dieses Anliegen ist gelöst. Danke für Ihre Geduld! Melden Sie sich gern "
        "hier, falls noch etwas ist.",
    },
    "fr": {
        "transition.billing": "Merci {customer} ! Je fais appel à un membre de notre équipe "
        "facturation : il verra tout ce que nous avons échangé, vous n'aurez donc rien à répéter.",
        "transition.technical": "Merci {customer} ! Je transmets votre demande à l'un de nos "
        "spécialistes techniques. Il aura tout ce fil sous les yeux, inutile de tout réexpliquer.",
        "transition.account_management": "Merci {customer} ! Je vous mets en relation avec notre "
        "équipe de gestion de compte, qui fera le point avec vous sur votre offre et les options "
        "possibles. Elle aura tout l'historique, vous n'aurez pas à tout reprendre.",
        "transition.trust": "Merci {customer} ! Je fais intervenir notre équipe sécurité et "
        "confidentialité, qui traite ce type de sujet avec toute l'attention nécessaire. Elle "
        "verra tout ce qui a été partagé ici, vous n'aurez rien à répéter.",
        "transition.general": "Merci {customer} ! Je passe le relais à un membre de notre équipe "
        "support, qui pourra lire toute cette conversation : pas besoin de répéter quoi que ce "
        "soit.",
        "wait": "Temps d'attente estimé : {wait}.",
        "wait.minutes": "environ {n} minutes",
        "wait.hours": "environ {n} heures",
        "wait.unknown": "pendant nos heures ouvrées",
        "follow_up.button": "Me recontacter plus tard",
        "follow_up.chosen": "Pas de souci, nous reviendrons vers vous ici même, dans ce fil, "
        "sous {window}.",
        "queue.position": "Vous êtes numéro {n} dans la file d'attente.",
        "follow_up.email_button": "Plutôt par e-mail",
        "follow_up.email_chosen": "Pas de souci, nous vous répondrons par e-mail sous {window}.",
        "follow_up.email_missing": "Nous n'avons pas trouvé d'adresse e-mail dans votre profil "
        "Slack, nous vous répondrons donc ici, dans ce fil.",
        "email.subject": "Votre demande d'assistance {reference}",
        "email.body": "Merci de votre patience. Un membre de notre équipe d'assistance "
        "répondra à votre demande {reference} par e-mail sous {window}.",
        "joined": "{agent}, de notre équipe, a rejoint la conversation et en prend connaissance.",
        "closing": "Cette conversation est résolue. Merci pour votre patience ; n'hésitez pas à "
        "répondre ici si vous avez besoin d'autre chose.",
    },
    "pt": {
        "transition.billing": "Obrigado, {customer}! Estou chamando alguém da nossa equipe de "
        "faturamento. A pessoa vai ver tudo o que conversamos, então você não precisa repetir "
        "nada.",
        "transition.technical": "Obrigado, {customer}! Vou passar isso para um dos nossos "
        "especialistas técnicos. Ele terá esta conversa inteira em mãos, então não é preciso "
        "explicar de novo.",
        "transition.account_management": "Obrigado, {customer}! Vou colocar você em contato com "
        "a nossa equipe de contas, que pode conversar sobre o seu plano e as opções disponíveis. "
        "Eles terão todo o histórico, então você não precisa começar do zero.",
        "transition.trust": "Obrigado, {customer}! Estou envolvendo a nossa equipe de segurança "
        "e privacidade, que trata esse tipo de assunto com todo o cuidado. Eles verão tudo o "
        "que foi compartilhado aqui, então você não precisa repetir nada.",
        "transition.general": "Obrigado, {customer}! Vou passar a conversa para alguém da nossa "
        "equipe de suporte, que poderá ler todo o histórico: não precisa repetir nada.",
        "wait": "Tempo de espera estimado: {wait}.",
        "wait.minutes": "cerca de {n} minutos",
        "wait.hours": "cerca de {n} horas",
        "wait.unknown": "dentro do horário comercial",
        "follow_up.button": "Prefiro retorno depois",
        "follow_up.chosen": "Sem problema! Vamos retornar aqui mesmo, nesta conversa, em até "
        "{window}.",
        "queue.position": "Você é o número {n} na fila.",
        "follow_up.email_button": "Prefiro por e-mail",
        "follow_up.email_chosen": "Sem problema! Vamos retornar por e-mail em até {window}.",
        "follow_up.email_missing": "Não encontramos um e-mail no seu perfil do Slack, então "
        "vamos retornar aqui mesmo, nesta conversa.",
        "email.subject": "Sua solicitação de suporte {reference}",
        "email.body": "Obrigado pela paciência. Alguém da nossa equipe de suporte vai "
        "responder à sua solicitação {reference} por e-mail em até {window}.",
        "joined": "{agent}, da nossa equipe, entrou na conversa e está lendo tudo.",
        "closing": "Esta conversa foi resolvida. Obrigado pela paciência! Se precisar de mais "
        "alguma coisa, é só responder aqui.",
    },
    "ja": {
        "transition.billing": "{customer} 様、ありがとうございます。請求担当のスタッフにおつなぎ"
        "します。これまでのやり取りはすべて担当者に共有されますので、同じ内容を繰り返して"
        "いただく必要はございません。",
        "transition.technical": "{customer} 様、ありがとうございます。技術サポートの専門スタッフ"
        "に引き継ぎます。このスレッドの内容はすべて担当者が確認できますので、改めてご説明"
        "いただく必要はございません。",
        "transition.account_management": "{customer} 様、ありがとうございます。アカウント担当"
        "チームにおつなぎし、ご契約プランや今後の選択肢についてご相談を承ります。これまでの"
        "経緯はすべて引き継がれますので、最初からご説明いただく必要はございません。",
        "transition.trust": "{customer} 様、ありがとうございます。慎重な対応が必要な内容のため、"
        "セキュリティ・プライバシー担当チームにおつなぎします。こちらで共有いただいた内容は"
        "すべて担当者が確認いたします。",
        "transition.general": "{customer} 様、ありがとうございます。サポートチームの担当者に"
        "おつなぎします。この会話の内容はすべて担当者が確認できますので、ご安心ください。",
        "wait": "お待ちいただく時間の目安：{wait}",  # noqa: RUF001 (Japanese punctuation)
        "wait.minutes": "約{n}分",
        "wait.hours": "約{n}時間",
        "wait.unknown": "営業時間内にご連絡いたします",
        "follow_up.button": "後ほど連絡を希望する",
        "follow_up.chosen": "承知いたしました。{window}以内に、このスレッドでご連絡いたします。",
        "queue.position": "現在{n}番目にお待ちいただいております。",
        "follow_up.email_button": "メールでの連絡を希望する",
        "follow_up.email_chosen": "承知いたしました。{window}以内にメールでご連絡いたします。",
        "follow_up.email_missing": "Slackのプロフィールにメールアドレスが見つからなかったため、"
        "このスレッドでご連絡いたします。",
        "email.subject": "お問い合わせ {reference} について",
        "email.body": "お待たせして申し訳ございません。サポートチームの担当者より、"
        "お問い合わせ {reference} について{window}以内にメールでご連絡いたします。",
        "joined": "{agent} が担当として参加し、これまでの会話を確認しております。",
        "closing": "本件は解決となりました。お待ちいただき、ありがとうございました。ほかに"
        "ご不明な点がございましたら、こちらにご返信ください。",
    },
}

#: Languages with built-in wording.
SUPPORTED_LANGUAGES: tuple[str, ...] = tuple(_DEFAULTS)
#: The built-in templates, read-only: language -> key -> template.
DEFAULT_TEMPLATES: Mapping[str, Mapping[str, str]] = MappingProxyType(
    {language: MappingProxyType(templates) for language, templates in _DEFAULTS.items()}
)

# Per language: (one hour, n hours, one minute, n minutes), each a pattern around {n}.
_UNITS: dict[str, tuple[str, str, str, str]] = {
    "en": ("{n} hour", "{n} hours", "{n} minute", "{n} minutes"),
    "es": ("{n} hora", "{n} horas", "{n} minuto", "{n} minutos"),
    "de": ("{n} Stunde", "{n} Stunden", "{n} Minute", "{n} Minuten"),
    "fr": ("{n} heure", "{n} heures", "{n} minute", "{n} minutes"),
    "pt": ("{n} hora", "{n} horas", "{n} minuto", "{n} minutos"),
    "ja": ("{n}時間", "{n}時間", "{n}分", "{n}分"),
}


def render(key: str, *, language: str, overrides: Overrides | None = None, **values: str) -> str:
    """The template ``key`` in ``language`` with ``values`` filled in (one per placeholder)."""
    allowed = _placeholders(key)
    if values.keys() != allowed:
        raise TypeError(f"template {key!r} takes {sorted(allowed)} as values, got {sorted(values)}")
    language, template = _template(key, _primary(language), overrides or {})
    _check(template, language, key)
    return template.format_map(values)


def transition_text(
    skill: str, *, language: str, customer: str, overrides: Overrides | None = None
) -> str:
    """What the customer reads when the conversation goes to ``skill`` (general if unknown)."""
    key = f"transition.{skill}"
    if key not in PLACEHOLDERS:
        key = "transition.general"
    return render(key, language=language, overrides=overrides, customer=customer)


def format_window(minutes: int, *, language: str) -> str:
    """A duration such as ``2 hours`` or ``90 minutes``: whole hours when it divides evenly."""
    if minutes < 1:
        raise ValueError(f"a window is at least one minute, got {minutes}")
    one_hour, hours, one_minute, many_minutes = _UNITS.get(
        _primary(language), _UNITS[FALLBACK_LANGUAGE]
    )
    if minutes % 60 == 0:
        n = minutes // 60
        return (one_hour if n == 1 else hours).format(n=n)
    return (one_minute if minutes == 1 else many_minutes).format(n=minutes)


def validate_overrides(messages: Overrides) -> None:
    """Reject unknown keys and unknown or malformed placeholders, naming language and key."""
    for language, templates in messages.items():
        for key, template in templates.items():
            if key not in PLACEHOLDERS:
                raise ValueError(
                    f"messages.{language}.{key}: unknown template key "
                    f"(keys are: {', '.join(TEMPLATE_KEYS)})"
                )
            _check(template, language, key)


def _placeholders(key: str) -> frozenset[str]:
    try:
        return PLACEHOLDERS[key]
    except KeyError:
        raise KeyError(f"unknown template key {key!r}") from None


def _template(key: str, language: str, overrides: Overrides) -> tuple[str, str]:
    """(language, template): the language's override or default, else English's."""
    for lang in (language, FALLBACK_LANGUAGE):
        for source in (overrides, DEFAULT_TEMPLATES):
            template = source.get(lang, {}).get(key)
            if template is not None:
                return lang, template
    raise AssertionError(f"no English default for {key!r}")  # pragma: no cover


def _check(template: str, language: str, key: str) -> None:
    """Raise ValueError unless every placeholder is a plain, allowed name."""
    allowed = PLACEHOLDERS[key]
    where = f"messages.{language}.{key}"
    try:
        fields = list(string.Formatter().parse(template))
    except ValueError as exc:
        raise ValueError(f"{where}: malformed template: {exc}") from None
    for _, name, spec, conversion in fields:
        if name is None:
            continue
        if name not in allowed:
            names = ", ".join(f"{{{p}}}" for p in sorted(allowed)) or "none"
            raise ValueError(
                f"{where}: unknown placeholder {{{name}}} (allowed placeholders: {names})"
            )
        if spec or conversion:
            raise ValueError(f"{where}: placeholder {{{name}}} takes no format spec or conversion")


def _primary(language: str) -> str:
    """``pt-BR`` -> ``pt``."""
    return language.strip().lower().replace("_", "-").split("-")[0]
