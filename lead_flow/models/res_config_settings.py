from dataclasses import replace
from urllib.parse import urlparse

import openai

from odoo import Command, api, fields, models
from odoo.exceptions import UserError, ValidationError
from odoo.tools.safe_eval import safe_eval
from odoo.tools.translate import LazyTranslate

from .config_param import get_id_list, set_id_list
from .lead_flow_ai_client import (
    SETTINGS,
    SETTINGS_BY_KEY,
    AiConfig,
    IntSetting,
    InvalidAnswer,
    classify_note,
)

RESERVE_GROUPS_KEY = "lead_flow.reserve_group_ids"
QUEUE_FIELDS_KEY = "lead_flow.queue_fields"
ONLY_TEXT_KEY = SETTINGS["only_text"].key
_lt = LazyTranslate(__name__)
# What the user reads when the AI endpoint fails, most specific error first.
AI_ERROR_MESSAGES = (
    (openai.AuthenticationError, _lt("%(endpoint)s refused the API key.")),
    (
        openai.NotFoundError,
        _lt('%(endpoint)s does not know the model "%(model)s" (or the URL is wrong).'),
    ),
    (openai.APITimeoutError, _lt("%(endpoint)s did not answer within %(seconds)s seconds.")),
    (openai.APIConnectionError, _lt("Could not reach %(endpoint)s.")),
)


class ResConfigSettings(models.TransientModel):
    _inherit = "res.config.settings"

    lead_flow_reserve_group_ids = fields.Many2many(
        "res.groups",
        "lead_flow_settings_reserve_group_rel",
        string="Roles that reserve leads",
        help="When a user of one of these groups logs the first note on a free lead, "
        "the lead is reserved for them.",
    )
    lead_flow_reservation_hours = fields.Integer(
        "Reservation expiry (hours)",
        config_parameter="lead_flow.reservation_hours",
        default=0,
        help="A reservation without a new note for this many hours is released. 0 = never.",
    )
    lead_flow_queue_domain = fields.Char(
        "Queue scope",
        config_parameter="lead_flow.queue_domain",
        default="[]",
        help="Only leads matching this filter enter the Lead Flow queue.",
    )
    lead_flow_queue_field_ids = fields.Many2many(
        "ir.model.fields",
        "lead_flow_settings_queue_field_rel",
        string="Extra queue columns",
        domain="[('model', '=', 'crm.lead'), ('store', '=', True), "
        "('ttype', 'not in', ['one2many', 'many2many', 'binary', 'html', 'properties'])]",
        help="Customer information shown as extra columns in the queue.",
    )
    lead_flow_ai_enabled = fields.Boolean(
        "AI classification", config_parameter=SETTINGS["enabled"].key
    )
    lead_flow_ai_api_key = fields.Char(
        "AI API key", config_parameter=SETTINGS["api_key"].key, groups="base.group_system"
    )
    lead_flow_ai_model = fields.Char(
        "AI model", config_parameter=SETTINGS["model"].key, default=SETTINGS["model"].default
    )
    lead_flow_ai_base_url = fields.Char(
        "AI endpoint",
        config_parameter=SETTINGS["base_url"].key,
        help="Leave empty for OpenAI; otherwise the base URL of any OpenAI-compatible server, "
        "e.g. http://localhost:8000/v1",
    )
    lead_flow_ai_max_per_run = fields.Integer(
        "AI notes per run",
        config_parameter=SETTINGS["max_per_run"].key,
        default=SETTINGS["max_per_run"].default,
        help="At most this many notes are classified by one run of the scheduled job.",
    )
    lead_flow_ai_timeout = fields.Integer(
        "AI request timeout (seconds)",
        config_parameter=SETTINGS["timeout"].key,
        default=SETTINGS["timeout"].default,
    )
    lead_flow_ai_concurrency = fields.Integer(
        "AI parallel requests",
        config_parameter=SETTINGS["concurrency"].key,
        default=SETTINGS["concurrency"].default,
        help="How many requests the job sends at the same time.",
    )
    lead_flow_ai_send_only_text = fields.Boolean(
        "Send only the note text",
        default=SETTINGS["only_text"].default,
        help="When set, the AI receives the note text only: no customer name, e-mail or phone.",
    )

    @api.model
    def _lead_flow_id_list_settings(self):
        """Many2many settings stored as id lists: {field name: parameter key}."""
        return {"lead_flow_reserve_group_ids": RESERVE_GROUPS_KEY}

    @api.model
    def _lead_flow_ai_int_fields(self):
        """The integer AI settings shown in the form: {field name: its IntSetting}."""
        specs = {
            name: SETTINGS_BY_KEY.get(getattr(field, "config_parameter", None))
            for name, field in self._fields.items()
        }
        return {name: spec for name, spec in specs.items() if isinstance(spec, IntSetting)}

    @api.model
    def _lead_flow_ai_write_defaults(self):
        """Store the AI defaults not set yet (install data): the advanced keys then show in
        System Parameters, where the documentation sends administrators to change them."""
        ICP = self.env["ir.config_parameter"].sudo()
        for spec in SETTINGS.values():
            if spec.default is False or spec.default == "":
                continue  # off / empty: nothing to show, and absent means the same
            if ICP.get_param(spec.key) is False:
                ICP.set_param(spec.key, str(spec.default))

    @api.model
    def get_values(self):
        res = super().get_values()
        get = self.env["ir.config_parameter"].sudo().get_param
        res["lead_flow_ai_send_only_text"] = SETTINGS["only_text"].parse(get(ONLY_TEXT_KEY))
        # As the job reads them: a value that is not a number shows the default, not 0.
        for fname, spec in self._lead_flow_ai_int_fields().items():
            res[fname] = spec.parse(get(spec.key))
        for fname, key in self._lead_flow_id_list_settings().items():
            comodel = self.env[self._fields[fname].comodel_name].sudo()
            res[fname] = [Command.set(comodel.browse(get_id_list(self.env, key)).exists().ids)]
        names = (self.env["ir.config_parameter"].sudo().get_param(QUEUE_FIELDS_KEY) or "").split(
            ","
        )
        queue_fields = (
            self.env["ir.model.fields"]
            .sudo()
            .search([("model", "=", "crm.lead"), ("name", "in", names)])
        )
        res["lead_flow_queue_field_ids"] = [Command.set(queue_fields.ids)]
        return res

    def set_values(self):
        self._lead_flow_check_values()
        res = super().set_values()
        ICP = self.env["ir.config_parameter"].sudo()
        for fname, key in self._lead_flow_id_list_settings().items():
            set_id_list(self.env, key, self[fname].ids)
        fields_param = ",".join(self.lead_flow_queue_field_ids.mapped("name"))
        if ICP.get_param(QUEUE_FIELDS_KEY, "") != fields_param:
            ICP.set_param(QUEUE_FIELDS_KEY, fields_param)
            self.env.registry.clear_cache("templates")  # the queue list view shows them
        # Stored explicitly as "True"/"False": an absent key means "on" (the default).
        self.env["ir.config_parameter"].sudo().set_param(
            ONLY_TEXT_KEY, str(bool(self.lead_flow_ai_send_only_text))
        )
        return res

    def _lead_flow_check_values(self):
        for settings in self:
            if settings.lead_flow_reservation_hours < 0:
                raise ValidationError(
                    self.env._("The reservation expiry cannot be negative (0 = never).")
                )
            for field, spec in settings._lead_flow_ai_int_fields().items():
                if not spec.accepts(settings[field]):
                    raise ValidationError(
                        self.env._(
                            '"%(setting)s" must be between %(low)s and %(high)s.',
                            setting=settings._fields[field].get_description(self.env)["string"],
                            low=spec.low,
                            high=spec.high,
                        )
                    )
            url = (settings.lead_flow_ai_base_url or "").strip()
            if url and (urlparse(url).scheme not in ("http", "https") or not urlparse(url).netloc):
                raise ValidationError(
                    self.env._('The AI endpoint "%s" is not a valid http(s) URL.', url)
                )
            settings._lead_flow_check_queue_domain()

    def _lead_flow_check_queue_domain(self):
        raw = (self.lead_flow_queue_domain or "[]").strip()
        try:
            domain = safe_eval(raw, {"uid": self.env.uid})
            self.env["crm.lead"].search_count(domain, limit=1)
        except Exception as error:
            raise ValidationError(
                self.env._("The queue scope is not a valid filter on leads: %s", error)
            ) from error

    def _lead_flow_ai_error_message(self, exc, endpoint, config):
        """The user's words for what went wrong with the AI endpoint."""
        template = next(
            (text for kind, text in AI_ERROR_MESSAGES if isinstance(exc, kind)),
            _lt("%(endpoint)s answered, but not as expected: %(error)s"),
        )
        values = {
            "endpoint": endpoint,
            "model": config.model,
            "seconds": config.timeout,
            "error": str(exc)[:300],
        }
        # The terms are _lt() above (extracted for translation); fill them once translated.
        return self.env._(template) % values  # pylint: disable=translation-not-lazy

    def action_lead_flow_ai_test_connection(self):
        """Send one tiny classification request with the values shown in the form."""
        self.ensure_one()
        self._lead_flow_check_values()
        config = AiConfig.from_env(self.env)
        config = replace(
            config,
            api_key=(self.lead_flow_ai_api_key or config.api_key or "").strip(),
            model=(self.lead_flow_ai_model or config.model).strip(),
            base_url=(self.lead_flow_ai_base_url or "").strip(),
            timeout=self.lead_flow_ai_timeout or config.timeout,
            max_retries=0,
        )
        if not config.api_key:
            raise UserError(self.env._("Enter an AI API key first."))
        endpoint = config.base_url or "OpenAI"
        client = config.make_client()
        try:
            label = classify_note(client, config, "Test call: the customer agreed to a demo.")
        except (openai.OpenAIError, InvalidAnswer) as exc:
            raise UserError(self._lead_flow_ai_error_message(exc, endpoint, config)) from exc
        finally:
            client.close()
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("AI connection works"),
                "message": self.env._(
                    '%(endpoint)s answered with the model "%(model)s" (test label: %(label)s).',
                    endpoint=endpoint,
                    model=config.model,
                    label=label,
                ),
                "type": "success",
            },
        }
