"""Data loss is a must-escalate intent: its rules in every supported language, and what they
must leave alone (deleting on purpose, a lost password, a worry about losing data)."""

from __future__ import annotations

import pytest

from app.intents import DATA_LOSS, DEFAULT_TAXONOMY
from app.triage.intent_rules import apply_rules, match_intent
from app.triage.offline import OfflineTriageBackend
from app.triage.signals import IntentSource


@pytest.fixture(scope="module")
def backend() -> OfflineTriageBackend:
    return OfflineTriageBackend()


DATA_LOSS_MESSAGES = [
    # en
    "our data is gone",
    "Our data is gone!! what happened overnight?",
    "records disappeared after the sync",
    "we lost all our projects",
    "the export deleted the tasks it was meant to copy",
    "half the contacts went missing after last night's hubspot sync",
    "all of our boards are suddenly empty... everything is gone",
    "The migration wiped out every custom field value",
    "three months of timesheets have been wiped",
    "comments I wrote on Monday have vanished",
    "the import overwrote our tasks with blank rows",
    "We can't find any of our client projects anymore",
    "we had data loss after the update",
    "the sprint data for Q3 is missing since yesterday",
    "attachments got deleted after the storage change",
    "weeks of work lost, the project shows zero tasks",
    # es
    "Perdimos todos los datos del proyecto",
    "los registros desaparecieron después de la sincronización",
    "la importación borró nuestras tareas",
    # de
    "Unsere Daten sind weg",
    "nach dem Sync sind alle Aufgaben verschwunden",
    "Wir haben alle unsere Projekte verloren",
    "der Export hat unsere Einträge gelöscht",
    # fr
    "Nos données ont disparu",
    "nous avons perdu tous nos projets",
    "la synchronisation a effacé nos enregistrements",
    # pt
    "Perdemos todos os projetos",
    "os registros sumiram depois da sincronização",
    "a importação apagou nossas tarefas",
    # ja
    "データが消えました",
    "同期の後でタスクが全部なくなりました",
    "エクスポートの後にプロジェクトが削除されました",
    # it
    "Abbiamo perso tutti i dati",
    "i progetti sono spariti dopo l'aggiornamento",
    "la sincronizzazione ha cancellato i record",
    # nl
    "Onze data is weg",
    "de taken zijn verdwenen na de import",
    "we zijn al onze projecten kwijt",
    "de synchronisatie heeft onze gegevens gewist",
]

NOT_DATA_LOSS = [
    "how do I delete old data",
    "how can I delete old data from archived projects?",
    "I lost my password",
    "I lost my 2fa phone, how do I log in?",
    "I lost access to my account",
    "lost my work laptop, can you sign me out everywhere?",
    "how do I archive a project without losing the reports",
    "will I lose my data if I downgrade?",
    "what happens to deleted tasks?",
    "when tasks are deleted, do they go to the trash?",
    "the export includes deleted tasks, can I filter them out?",
    "the report is missing a column for due dates",
    "the update removed the old sidebar, where is it now?",
    "we lost track of which tasks are blocked",
    "¿Cómo borro datos antiguos?",
    "perdí mi contraseña",
    "Ich habe mein Passwort verloren",
    "j'ai perdu mon mot de passe",
    "perdi minha senha",
    "ho perso la password",
    "ik ben mijn wachtwoord kwijt",
    "古いデータを削除する方法を教えてください",
    "パスワードを忘れました",
]


#: No rule fires on a worry; the classifier may still send it to a person, which is acceptable.
WORRIES = [
    "is there any risk of data loss during the migration?",
    "we are afraid of losing data when we switch plans",
    "no data loss expected, right?",
]


@pytest.mark.parametrize("text", DATA_LOSS_MESSAGES)
def test_data_loss_rules_fire(text: str) -> None:
    match = match_intent(text)
    assert match is not None and match.intent == DATA_LOSS, match


@pytest.mark.parametrize("text", [*NOT_DATA_LOSS, *WORRIES])
def test_data_loss_rules_leave_these_alone(text: str) -> None:
    match = match_intent(text)
    assert match is None or match.intent != DATA_LOSS, match


@pytest.mark.parametrize("text", NOT_DATA_LOSS)
def test_the_offline_backend_does_not_call_these_data_loss(
    backend: OfflineTriageBackend, text: str
) -> None:
    assert backend.analyse(text).intent != DATA_LOSS


def test_data_loss_always_escalates_and_goes_to_the_technical_skill() -> None:
    assert DEFAULT_TAXONOMY.is_always_escalate(DATA_LOSS)
    assert DEFAULT_TAXONOMY.skill_for(DATA_LOSS) == "technical"


def test_the_offline_backend_decides_data_loss_by_rule(backend: OfflineTriageBackend) -> None:
    signals = backend.analyse("records disappeared after the sync, 200 of them")
    assert signals.intent == DATA_LOSS
    assert signals.intent_source is IntentSource.RULE
    assert "rule data_loss: 'records disappeared'" in signals.reasons


def test_a_negated_loss_is_not_data_loss() -> None:
    outcome = apply_rules("we did not lose data, the sync just looks slow")
    assert outcome.match is None or outcome.match.intent != DATA_LOSS


def test_a_security_report_that_lost_data_stays_security() -> None:
    match = match_intent("we were hacked and our data is gone")
    assert match is not None and match.intent == "security"
