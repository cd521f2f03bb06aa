from odoo import api, models
from odoo.osv import expression


def _on_field(company_domain, field_name):
    """``company_domain`` (leaves on company_id only) as the same leaves on ``field_name``."""
    return [
        (field_name, *term[1:]) if expression.is_leaf(term) and term[0] == "company_id" else term
        for term in company_domain
    ]


def _on_company_only(domain):
    """Whether every condition of ``domain`` is on ``company_id``."""
    return all(
        term[0] == "company_id"
        for term in expression.normalize_domain(domain)
        if expression.is_leaf(term) and term not in (expression.TRUE_LEAF, expression.FALSE_LEAF)
    )


class IrRule(models.Model):
    """Lead Flow rows follow their lead's visibility.

    A model that declares ``_lead_flow_lead_field`` (history entries, report rows) gets,
    on top of its own rules, the record rules of ``crm.lead`` through that field, as Odoo
    adds the rules of an ``_inherits`` parent: whatever decides who reads a lead (crm's
    own / all leads rules, multi-company, team leaders, downline, portal buyers) decides
    who reads its rows, with no copy of those rules to keep in step. Reading a row needs
    read access to its lead; changing one needs write access to it.

    A model that also declares ``_lead_flow_lead_company_field`` (a column always equal to
    its lead's company, e.g. a stored related field) is filtered on that column instead
    when the lead rules filter on the company alone, which spares a join to crm_lead.

    A model of totals with no lead column declares ``_lead_flow_lead_totals``: its rows
    are shown only to users whose lead rules filter on the company alone (its company is
    its lead's, lead_company.py); anyone narrower reads the rows behind the totals instead.
    """

    _inherit = "ir.rule"

    def _compute_domain(self, model_name, mode="read"):
        domain = super()._compute_domain(model_name, mode)
        if self.env.su or model_name not in self.env:
            return domain
        model = self.env[model_name]
        lead_field = getattr(model, "_lead_flow_lead_field", None)
        totals = getattr(model, "_lead_flow_lead_totals", False)
        if not (lead_field or totals):
            return domain
        lead_domain = self._lead_flow_lead_domain(mode)
        company_only = _on_company_only(lead_domain)
        company_field = getattr(model, "_lead_flow_lead_company_field", None)
        if lead_field and company_field and company_only:
            # The lead rules only filter on the company, and this model keeps its lead's
            # company in a column: the same filter on that column, no join to crm_lead.
            extra = _on_field(lead_domain, company_field)
        elif lead_field:
            extra = [(lead_field, "any", lead_domain)] if lead_domain else []
        else:
            extra = lead_domain if company_only else expression.FALSE_DOMAIN
        return expression.AND([domain, extra]) if extra else domain

    @api.model
    def _lead_flow_lead_domain(self, mode="read"):
        """The current user's record rules on crm.lead for reading (``read``) or for
        changing (any other mode) a row of the lead."""
        return self._compute_domain("crm.lead", "read" if mode == "read" else "write")

    @api.model
    def _lead_flow_totals_domain(self, mode="read"):
        """The lead rules as a domain on ``company_id`` of a totals row, or None when they
        restrict more than the company (own documents, team, downline...)."""
        lead_domain = self._lead_flow_lead_domain(mode)
        return lead_domain if _on_company_only(lead_domain) else None
