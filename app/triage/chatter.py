"""Is a message a request at all? Thanks, acknowledgements, greetings and emoji are not.

A message is chatter only when every word of it belongs to a pleasantry of one of the
supported languages: "thanks!" and "good morning team :wave:" are chatter; "thanks, but the
export still fails" is not. A question mark, a code block or a link always makes it a request,
so a doubtful message is triaged as before. Plain data in, plain data out.
"""

from __future__ import annotations

import enum
import re
import unicodedata
from typing import Final

import emoji

MAX_CHATTER_WORDS: Final = 10


def _vocabulary(words: str) -> frozenset[str]:
    return frozenset(words.split())


class ChatterKind(enum.StrEnum):
    THANKS = "thanks"
    ACKNOWLEDGEMENT = "acknowledgement"
    GREETING = "greeting"
    EMOJI_ONLY = "emoji_only"
    JOINING = "joining"
    WELCOME = "welcome"
    FAREWELL = "farewell"


# "It works now", "that fixed it": an acknowledgement, unless negated ("no funciona").
_SUCCESS: Final = _vocabulary(
    """
    fixed solved resolved sorted trick working
    funciona funcionó funciono resuelto solucionado arreglado
    funktioniert geklappt klappt erledigt gelöst geloest behoben
    fonctionne résolu resolu réglé regle
    funcionou resolvido resolveu
    funziona funzionato risolto
    werkt gelukt opgelost
    助かりました 助かります 解決しました 直りました できました
    """
)
_NEGATIONS: Final = _vocabulary(
    """
    not no never nope don't didn't doesn't isn't wasn't won't can't cannot dont didnt doesnt
    isnt wasnt wont cant
    nada nunca tampoco nicht kein keine nie noch pas jamais plus ne não nao nem non mai
    niet geen nooit nog
    """
)

# The words of each kind of pleasantry, in every supported language (en es de fr pt ja it nl).
# Kinds are checked in this order: the first kind with a word in the message names it.
_KIND_WORDS: Final[dict[ChatterKind, frozenset[str]]] = {
    ChatterKind.THANKS: _vocabulary(
        """
        thanks thank thx thnx tnx thanx tks tq ty tysm tyvm cheers appreciated appreciate
        appreciating kudos grateful
        gracias agradecido agradecida agradezco
        danke dank dankeschön dankeschoen merci
        obrigado obrigada valeu brigado
        grazie ringrazio
        bedankt dankjewel dankuwel dankje
        ありがとう ありがとうございます ありがとうございました どうも 感謝します 感謝いたします
        """
    ),
    ChatterKind.WELCOME: _vocabulary(
        """
        welcome aboard bienvenido bienvenida bienvenidos willkommen bienvenue bienvenu
        bem-vindo bem-vinda bem-vindos benvenuto benvenuta benvenuti welkom ようこそ
        """
    ),
    ChatterKind.JOINING: _vocabulary(
        """
        joining join omw brb otw dialing dialling hopping
        """
    ),
    ChatterKind.FAREWELL: _vocabulary(
        """
        bye byebye goodbye cya cu ttyl later weekend night goodnight gn care
        adiós adios luego pronto finde saludos
        tschüss tschüs tschuess wochenende feierabend gruß grüße gruss
        revoir bientôt bientot week-end journée soirée
        tchau abraço abraços abraco
        presto giornata serata
        doei straks
        monday tuesday wednesday thursday friday saturday sunday
        お疲れ様でした おつかれさまでした 失礼します
        よろしくお願いします よろしくお願いいたします
        """
    ),
    ChatterKind.GREETING: _vocabulary(
        """
        hi hello hey heya hiya howdy yo morning afternoon evening gm
        hola buenos buenas días dias tardes noches
        hallo moin servus guten morgen tag abend
        bonjour salut bonsoir coucou
        olá ola oi bom boa dia
        ciao buongiorno buonasera salve
        hoi goedemorgen goedemiddag goedenavond
        おはようございます こんにちは こんばんは お疲れ様です おつかれさまです
        """
    ),
    ChatterKind.ACKNOWLEDGEMENT: _vocabulary(
        """
        ok okay okey k kk okk got it noted understood sure yes yep yup yeah sounds good great
        perfect awesome cool nice lovely excellent makes sense will do roger ack fine np
        worries problem brilliant amazing fantastic wonderful superb sweet yay woohoo wow lol
        haha hehe neat gotcha alright aight acked works worked lgtm agreed agree rock rocks
        vale perfecto entendido genial claro acuerdo listo estupendo
        alles klar verstanden super gut prima passt toll wunderbar
        d'accord parfait compris entendu ça marche top bien nickel génial
        certo beleza combinado perfeito entendi show ótimo otimo
        capito perfetto va bene d'accordo ottimo fantastico
        oké duidelijk begrepen prima goed top
        了解 了解です 了解しました 承知しました 承知いたしました
        わかりました 分かりました かしこまりました 大丈夫です 確認しました
        """
    )
    | _SUCCESS,
}

# Words that join the words of a pleasantry ("thank you so much for the quick help").
_FILLER: Final = _vocabulary(
    """
    you u so very much a lot lots many all everyone folks team guys there the for your this
    that to it and again in now just be right back will on i im i'm i'll we we'll our too as
    well call meeting zoom huddle meet minute minutes min mins sec secs moment
    have has had enjoy nice good great lovely see talk soon take y'all yall
    my way sorry bit late running here channel crew glad meet pleasure happy
    no that's thats really totally definitely oh ah
    nada hasta tengas buen buena gusto nos vemos un una el
    bis dann später spaeter schönes schönen schoenes einen guten dir dich
    bonne bon rien plus avec plaisir
    até mais logo bom boa um uma fim
    dopo buona buon
    tot fijn fijne een
    now already ya ahora jetzt schon maintenant agora já ja ora adesso nu
    did es
    stuff ton tons bunch turnaround exactly what needed give go circle try let know check with
    patience news hope yesterday today tomorrow at helpful new grabbing coffee lunch you're
    youre lieben pessoal
    quick help reply response answer info update good have day nice great one
    muchas muchos mil por la el todos todas equipo de muy tu su
    vielen vielmals viel schön schoen euch allen ihr team sehr für fuer die der das
    beaucoup à a tous toutes l'équipe équipe pour le la les très
    muito muita todos pela pelo equipe ajuda
    mille tanti tante tutti a voi molte molto per il
    je wel hartelijk allemaal iedereen jullie voor de het heel
    """
)

_ALL_WORDS: Final = frozenset().union(*_KIND_WORDS.values())
_SLACK_MENTION = re.compile(r"<[@!#][^>]*>")
_SHORTCODE = re.compile(r":[a-z0-9_+\-']+(?:::skin-tone-\d)?:")
_WORD = re.compile(r"[^\W\d_](?:[\w'\-]*\w)?|\d+", re.UNICODE)
_PLUS_ONE = re.compile(r"(?<![\w+])\+1(?!\d)")  # "+1": agreed
_REQUEST_MARKS = ("?", "\u00bf", "```", "http://", "https://", "<http", "<mailto")
_JA_POLITE_TAIL = re.compile(r"[。!、,~〜ー]+$")  # after NFKC


_STRETCHED = re.compile(r"([^\W\d_])\1{2,}")  # "thaaanks", "sooo", "okkk"


def _spellings(word: str) -> tuple[str, ...]:
    """The word, and the word with stretched letters squeezed to two and to one."""
    if not _STRETCHED.search(word):
        return (word,)
    return (word, _STRETCHED.sub(r"\1\1", word), _STRETCHED.sub(r"\1", word))


def _in(word: str, vocabulary: frozenset[str]) -> bool:
    return any(spelling in vocabulary for spelling in _spellings(word))


def chatter_kind(text: str) -> ChatterKind | None:
    """The kind of pleasantry ``text`` is, or None when it may be a request."""
    text = unicodedata.normalize("NFKC", text).replace("\u2019", "'")
    if any(mark in text for mark in _REQUEST_MARKS):
        return None
    had_emoji = bool(_SHORTCODE.search(text)) or emoji.emoji_count(text) > 0
    text = _PLUS_ONE.sub(" agreed ", text)
    stripped = emoji.replace_emoji(_SHORTCODE.sub(" ", _SLACK_MENTION.sub(" ", text)), " ")
    normalized = stripped.lower()
    words = _WORD.findall(normalized)
    if not words:
        prose = "".join(ch for ch in normalized if not ch.isspace())
        if had_emoji and not any(ch.isalnum() for ch in prose):
            return ChatterKind.EMOJI_ONLY
        return None
    if len(words) > MAX_CHATTER_WORDS:
        return None
    words = [_JA_POLITE_TAIL.sub("", word) for word in words]
    if not all(_in(word, _ALL_WORDS) or _in(word, _FILLER) for word in words):
        return None
    if any(_in(word, _SUCCESS) for word in words) and any(w in _NEGATIONS for w in words):
        return None  # "no funciona", "not fixed": a problem report
    for kind, vocabulary in _KIND_WORDS.items():
        if any(_in(word, vocabulary) for word in words):
            return kind
    return None  # filler only ("for the team"): not obviously a pleasantry
