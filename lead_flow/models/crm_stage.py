from odoo import api, models, tools


class CrmStage(models.Model):
    _inherit = "crm.stage"

    @api.model
    @tools.ormcache()
    def _lead_flow_won_stage_ids(self):
        """Won stages leave the queue; read on every claim and queue page, changed rarely."""
        return tuple(
            self.sudo().with_context(active_test=False).search([("is_won", "=", True)]).ids
        )

    @api.model_create_multi
    def create(self, vals_list):
        stages = super().create(vals_list)
        if any(vals.get("is_won") for vals in vals_list):
            self.env.registry.clear_cache()
        return stages

    def write(self, vals):
        res = super().write(vals)
        if "is_won" in vals:
            self.env.registry.clear_cache()
        return res

    def unlink(self):
        won = any(self.mapped("is_won"))
        res = super().unlink()
        if won:
            self.env.registry.clear_cache()
        return res
