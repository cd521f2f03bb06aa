"""18.0.1.1.0: completing a lead ends its reservation. Leads completed before keep one
that would refuse a colleague's later note: free them."""


def migrate(cr, version):
    cr.execute(
        "UPDATE crm_lead SET lead_flow_reserved_user_id = NULL, lead_flow_reserved_at = NULL"
        " WHERE lead_flow_state = 'done' AND lead_flow_reserved_user_id IS NOT NULL"
    )
