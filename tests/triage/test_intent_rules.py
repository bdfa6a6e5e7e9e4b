"""Rules for unmistakable intents, in several languages, and what must not trigger them."""

from __future__ import annotations

import pytest

from app.triage.fuzzy import correct_typos
from app.triage.intent_rules import apply_rules, asks_for_human, match_intent, refine_by_topic

RULE_CASES = {
    "human_request": [
        ("en", "can I talk to a real person please"),
        ("en", "stop the bot and get me a human"),
        ("es", "quiero hablar con una persona"),
        ("de", "ich möchte mit einem Mitarbeiter sprechen"),
        ("fr", "je veux parler à un conseiller"),
        ("pt", "quero falar com um atendente"),
        ("it", "voglio parlare con una persona"),
        ("nl", "kan ik met een mens praten?"),
        ("ja", "オペレーターと話したいです"),
    ],
    "cancellation": [
        ("en", "please cancel our subscription at the end of the month"),
        ("en", "we won't be renewing, turn off auto-renew"),
        ("es", "queremos cancelar la suscripción"),
        ("de", "hiermit kündigen wir den Vertrag"),
        ("fr", "nous voulons résilier notre abonnement"),
        ("pt", "quero cancelar a assinatura"),
        ("it", "vorrei disdire l'abbonamento"),
        ("nl", "ik wil mijn abonnement opzeggen"),
        ("ja", "来月で解約します"),
        ("en", "heads up, we're not planning to renew in March"),
        ("en", "we're evaluating other tools for next year"),
        ("en", "leadership decided we're moving to a competitor after Q2"),
    ],
    "billing_dispute": [
        ("en", "you charged us twice, I want a refund"),
        ("en", "we will file a chargeback with our bank"),
        ("es", "nos cobraron dos veces, queremos el reembolso"),
        ("de", "bitte erstatten Sie die doppelte Abbuchung"),
        ("fr", "merci de nous rembourser le prélèvement en double"),
        ("pt", "quero o estorno dessa cobrança"),
        ("it", "chiediamo il rimborso dell'addebito"),
        ("nl", "graag het geld terugstorten"),
        ("ja", "返金をお願いします"),
    ],
    "legal": [
        ("en", "this is a GDPR data subject access request"),
        ("en", "we received a subpoena about our workspace"),
        ("es", "nuestro abogado se pondrá en contacto"),
        ("de", "wir benötigen einen AVV nach DSGVO"),
        ("fr", "notre service juridique demande le contrat"),
        ("pt", "vamos tomar medidas judiciais"),
        ("it", "il nostro avvocato vi scriverà"),
        ("nl", "onze advocaat neemt contact op"),
        ("ja", "弁護士に相談します"),
        ("en", "finance needs your signed DPA before Friday"),
        ("en", "can someone countersign our order form this week"),
        ("en", "procurement wants the MSA redlines back"),
    ],
    "security": [
        ("en", "someone got unauthorized access to our admin account"),
        ("en", "our api key was leaked in a public repo"),
        ("es", "encontramos una vulnerabilidad en la carga de archivos"),
        ("de", "wir haben einen unbefugten Zugriff bemerkt"),
        ("fr", "nous avons trouvé une faille de sécurité"),
        ("pt", "houve um vazamento de dados"),
        ("it", "abbiamo notato accessi sospetti"),
        ("nl", "we vermoeden een datalek"),
        ("ja", "不正アクセスがありました"),
        ("en", "my 2fa phone number was changed yesterday and it wasn't me"),
        ("en", "we got a password reset email that nobody here requested"),
        ("en", "someone changed our admin email address overnight"),
        ("en", "we don't recognize these logins from last night"),
        ("en", "could you send the pen test report for our vendor review"),
        ("en", "our vendor risk assessment needs a few answers from you"),
    ],
    "outage": [
        ("en", "is the app down? everything returns 503"),
        ("de", "gibt es eine Störung? niemand kann sich anmelden"),
        ("ja", "障害が発生していますか"),
    ],
}


@pytest.mark.parametrize(
    ("intent", "language", "text"),
    [(intent, language, text) for intent, cases in RULE_CASES.items() for language, text in cases],
)
def test_rule_fires(intent: str, language: str, text: str) -> None:
    match = match_intent(text)
    assert match is not None, f"{language}: no rule fired"
    assert match.intent == intent
    assert match.evidence


@pytest.mark.parametrize(
    "text",
    [
        "how do I cancel a recurring task?",
        "how do i remove a user account for someone who left",
        "what's your refund policy for annual plans?",
        "can someone from the team explain the API rate limits?",
        "our customer support team wants a shared inbox view",
        "is there a phone no to call for sales?",
        "the contract field on the deal card is empty",
        "how do I export the security audit log to CSV?",
        "a breath of fresh air, the new editor",
        "we managed to fix it ourselves",
        "how do I cancel a card's due date",
        "how do I reset my password",
        "how do I change the email address on my account",
        "where do I turn on 2FA for the team",
        "how do we move cards to another board",
    ],
)
def test_ordinary_messages_fire_no_rule(text: str) -> None:
    assert match_intent(correct_typos(text)) is None


def test_negated_phrases_do_not_fire_and_are_reported() -> None:
    outcome = apply_rules("we don't want to cancel, just downgrade to the team plan")
    assert outcome.match is None
    assert "cancellation" in outcome.negated
    assert asks_for_human("no need to talk to a human, the article solved it") is None
    assert asks_for_human("I do not know how to talk to a human here") is not None


def test_higher_priority_rule_wins() -> None:
    match = match_intent("I want to talk to a human about the double charge, refund it")
    assert match is not None
    assert match.intent == "billing_dispute"
    assert asks_for_human("I want to talk to a human about the double charge") is not None


def test_typos_are_corrected_before_rules() -> None:
    assert match_intent("i want to cancle my subscripton") is None
    match = match_intent(correct_typos("i want to cancle my subscripton"))
    assert match is not None
    assert match.intent == "cancellation"


def test_billing_topic_refines_a_generic_how_to() -> None:
    refined = refine_by_topic("how_to", "how do I download last month's invoice")
    assert refined is not None
    assert refined.intent == "billing_question"
    assert refine_by_topic("how_to", "how do I download a report") is None
    assert refine_by_topic("bug_report", "the invoice export crashes") is None


@pytest.mark.parametrize(
    "text",
    [
        "in what cases can I request a refund",
        "where can I see your money back guarantee",
        "do you offer refunds on annual plans",
        "in which situations can we ask to be reimbursed",
        "¿cuál es su política de reembolso?",
        "in welchen Fällen gibt es eine Rückerstattung",
        "quelle est votre politique de remboursement",
        "返金ポリシーを教えてください",
    ],
)
def test_a_question_about_the_refund_policy_is_no_dispute(text: str) -> None:
    assert apply_rules(text).match is None


@pytest.mark.parametrize(
    ("text", "evidence"),
    [
        ("I want a refund for the double charge", "refund"),
        ("we were charged twice, what's your refund policy?", "charged twice"),
        ("we demand a refund, what conditions apply", "refund"),
        ("quiero un reembolso", "reembolso"),
    ],
)
def test_a_refund_claim_next_to_a_policy_question_is_still_a_dispute(
    text: str, evidence: str
) -> None:
    found = match_intent(text)
    assert found is not None and (found.intent, found.evidence) == ("billing_dispute", evidence)


@pytest.mark.parametrize(
    "text",
    [
        "got a 2fa code i didnt ask for and now i cant get in",
        "got a password reset email nobody requested",
        "still see sessions i dont recognise after changing my password",
        "i typed my password into a fake orbitly login page",
        "i can see tasks from a workspace that isnt ours",
        "me llegó un código de verificación que no pedí",
        "ich habe einen Code bekommen, den ich nicht angefordert habe",
        "j'ai reçu un code que je n'ai pas demandé",
        "recebi um código de login que não pedi",
        "mi è arrivato un codice che non ho richiesto",
        "ik kreeg een code die ik niet heb aangevraagd",
        "頼んでいないコードが届きました",
    ],
)
def test_account_takeover_told_as_an_ordinary_login_event(text: str) -> None:
    found = match_intent(text)
    assert found is not None and found.intent == "security"


@pytest.mark.parametrize(
    "text",
    [
        "i didn't get the code i asked for",
        "the reset email i requested never arrived",
        "how do I request a new 2fa code",
        "can i see which sessions are active",
    ],
)
def test_asking_for_a_code_is_no_security_report(text: str) -> None:
    assert match_intent(text) is None
