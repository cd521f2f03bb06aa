import os

from odoo.exceptions import ValidationError
from odoo.modules.module import get_module_path
from odoo.tests import TransactionCase, new_test_user, tagged
from odoo.tools.translate import PoFileReader

MODULE = "lead_flow"
# An operator who may write any lead (a new lead belongs to the user who creates it).
OPERATOR_GROUPS = (
    "base.group_user,lead_flow.group_lead_flow_operator,sales_team.group_sale_salesman_all_leads"
)

# What a user sees in each language, copied from the .po files on purpose: losing or
# breaking a translation must fail this test.
EXPECTED = {
    "it_IT": {
        "state_string": "Stato Lead Flow",
        "states": {"none": "Nessuno", "in_progress": "In corso", "done": "Completato"},
        "queue_menu": "Coda",
        "call_type": "Chiamata",
        "empty_note": "La nota è vuota: scrivi cosa è successo prima di registrarla.",
    },
    "ro_RO": {
        "state_string": "Stare Lead Flow",
        "states": {"none": "Fără", "in_progress": "În desfășurare", "done": "Finalizat"},
        "queue_menu": "Coadă",
        "call_type": "Apel",
        "empty_note": "Nota este goală: scrieți ce s-a întâmplat înainte de a o înregistra.",
    },
    "es_ES": {
        "state_string": "Estado de Lead Flow",
        "states": {"none": "Ninguno", "in_progress": "En proceso", "done": "Completado"},
        "queue_menu": "Cola",
        "call_type": "Llamada",
        "empty_note": "La nota está vacía: escriba lo que ocurrió antes de registrarla.",
    },
    "fr_FR": {
        "state_string": "Statut Lead Flow",
        "states": {"none": "Aucun", "in_progress": "En cours", "done": "Terminé"},
        "queue_menu": "File d'attente",
        "call_type": "Appel",
        "empty_note": "La note est vide : décrivez ce qui s'est passé avant de l'enregistrer.",
    },
}


@tagged("post_install", "-at_install")
class TestI18n(TransactionCase):
    """The addon speaks Italian, Romanian, Spanish and French, completely."""

    def _load(self, code):
        self.env["res.lang"]._activate_lang(code)
        self.env["ir.module.module"]._load_module_terms([MODULE], [code], overwrite=True)

    def test_labels_and_messages_are_translated(self):
        lead = self.env["crm.lead"].create({"name": "i18n test lead", "type": "lead"})
        for code, expected in EXPECTED.items():
            with self.subTest(lang=code):
                self._load(code)
                env = self.env(context=dict(self.env.context, lang=code))

                field = env["crm.lead"].fields_get(["lead_flow_state"])["lead_flow_state"]
                self.assertEqual(field["string"], expected["state_string"])
                self.assertEqual(dict(field["selection"]), expected["states"])
                with_lang = self.env["ir.model.fields"]._get("crm.lead", "lead_flow_state")
                self.assertEqual(
                    with_lang.with_context(lang=code).field_description, expected["state_string"]
                )

                menu = env.ref("lead_flow.menu_lead_flow_queue")
                self.assertEqual(menu.name, expected["queue_menu"])
                self.assertEqual(env.ref("lead_flow.log_type_call").name, expected["call_type"])

                operator = new_test_user(
                    self.env,
                    f"lf_i18n_{code}",
                    groups=OPERATOR_GROUPS,
                    lang=code,
                )
                as_operator = lead.with_user(operator).with_context(lang=operator.lang)
                with self.assertRaises(ValidationError) as caught:
                    as_operator.lead_flow_log_note("   ")
                self.assertEqual(str(caught.exception), expected["empty_note"])

    def test_every_term_is_translated(self):
        i18n = os.path.join(get_module_path(MODULE), "i18n")
        pot = {row["src"] for row in PoFileReader(os.path.join(i18n, f"{MODULE}.pot"))}
        self.assertGreater(len(pot), 100, "the .pot looks truncated")
        for lang in ("it", "ro", "es", "fr"):
            with self.subTest(lang=lang):
                # Reading a .po merges its module's .pot in: a term missing from the .po
                # comes back with an empty translation.
                translated = {
                    row["src"]
                    for row in PoFileReader(os.path.join(i18n, f"{lang}.po"))
                    if row["value"].strip()
                }
                missing = sorted(pot - translated)
                self.assertFalse(
                    missing,
                    f"{lang}.po lacks {len(missing)} translation(s):\n" + "\n".join(missing),
                )
