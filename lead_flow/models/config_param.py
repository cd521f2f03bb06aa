"""Many2many settings kept in ir.config_parameter as comma-separated record ids."""


def get_id_list(env, key):
    raw = env["ir.config_parameter"].sudo().get_param(key) or ""
    return [int(part) for part in raw.split(",") if part.strip().isdigit()]


def set_id_list(env, key, ids):
    env["ir.config_parameter"].sudo().set_param(key, ",".join(str(i) for i in ids))
