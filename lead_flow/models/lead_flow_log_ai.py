"""Scheduled AI classification of operator notes through the official ``openai`` SDK.

One run works in batches: *claim* a batch (``FOR UPDATE SKIP LOCKED``, attempt counter + 1,
a lease so that no other worker takes it, commit), classify it over HTTP with no database
lock held (a small thread pool, one request per note), then *store* the answers in a new
short transaction that re-checks under lock that no operator set an outcome meanwhile.
"""

import logging
from concurrent.futures import ThreadPoolExecutor

import openai

from odoo import api, models
from odoo.exceptions import AccessError, UserError
from odoo.tools.sql import create_index

from .lead_flow_ai_client import LABELS, AiConfig, classify_note

_logger = logging.getLogger(__name__)

MANAGER_GROUP = "lead_flow.group_lead_flow_manager"
# Notes the scheduled job still has to classify (``ai_attempts`` is checked separately).
PENDING_WHERE = """
    l.outcome = 'unclassified' AND l.outcome_source IS NULL AND l.origin = 'manual'
    AND NOT COALESCE(l.undone, FALSE) AND COALESCE(btrim(l.body), '') != ''
"""
# What "Classify now" may (re)classify: anything an operator did not classify.
CLASSIFIABLE_WHERE = """
    COALESCE(l.outcome_source, '') != 'manual' AND l.origin = 'manual'
    AND NOT COALESCE(l.undone, FALSE) AND COALESCE(btrim(l.body), '') != ''
"""
FREE_WHERE = "(l.ai_lease_until IS NULL OR l.ai_lease_until < (now() AT TIME ZONE 'UTC'))"


class LeadFlowLogAi(models.Model):
    _inherit = "lead.flow.log"

    def init(self):
        res = super().init()
        # The job's query: newest pending notes first, on a table that may hold millions.
        create_index(
            self.env.cr,
            "lead_flow_log_ai_pending_idx",
            self._table,
            ["date DESC", "id DESC"],
            where="outcome = 'unclassified' AND outcome_source IS NULL AND origin = 'manual'",
        )
        return res

    # ------------------------------------------------------------------
    # Entry points
    # ------------------------------------------------------------------
    @api.model
    def _cron_ai_classify(self):
        """Scheduled job: classify up to "max notes per run" pending notes, committing per
        batch. Runs on ``self.env.cr``, so tests and scripts can call it on their own cursor."""
        config = AiConfig.from_env(self.env)
        if not self._ai_check_enabled(config):
            return
        stats = self.sudo()._ai_classify_run(config, limit=config.max_per_run, commit=True)
        _logger.info(
            "AI classification: %(done)s notes classified, %(failed)s failed, "
            "%(remaining)s pending",
            stats,
        )
        # Pending notes left -> Odoo runs the job again at once (progress API). Not after a
        # rate limit or failures: those wait for the next scheduled run.
        remaining = 0 if stats["stopped"] or stats["failed"] else stats["remaining"]
        self.env["ir.cron"]._notify_progress(
            done=stats["done"] + stats["failed"], remaining=remaining
        )

    def action_ai_classify_now(self):
        """Button / server action: classify the selected notes now (managers only)."""
        if not self.env.user.has_group(MANAGER_GROUP):
            raise AccessError(self.env._("Only Lead Flow managers can run the AI classification."))
        config = AiConfig.from_env(self.env)
        if not config.enabled:
            raise UserError(
                self.env._("AI classification is disabled: enable it in Settings > CRM.")
            )
        if not config.api_key:
            raise UserError(self.env._("No AI API key is set: add one in Settings > CRM."))
        if len(self) > config.max_per_run:
            # the requests run while the user waits: keep it to one scheduled run's worth
            raise UserError(
                self.env._(
                    "Select at most %(max)s notes (the AI notes per run setting); the "
                    "scheduled job classifies the others.",
                    max=config.max_per_run,
                )
            )
        stats = self.sudo()._ai_classify_run(
            config, log_ids=self.ids, limit=len(self.ids), commit=False
        )
        if not stats["claimed"]:
            message = self.env._(
                "Nothing to classify: operator outcomes, undone entries and empty notes "
                "are left as they are."
            )
            kind = "info"
        elif stats["failed"]:
            message = self.env._(
                "%(done)s note(s) classified, %(failed)s failed: %(error)s",
                done=stats["done"],
                failed=stats["failed"],
                error=stats["last_error"],
            )
            kind = "warning"
        else:
            message = self.env._("%(done)s note(s) classified.", done=stats["done"])
            kind = "success"
        return {
            "type": "ir.actions.client",
            "tag": "display_notification",
            "params": {
                "title": self.env._("AI classification"),
                "message": message,
                "type": kind,
                "sticky": kind == "warning",
                "next": {"type": "ir.actions.client", "tag": "soft_reload"},
            },
        }

    # ------------------------------------------------------------------
    # The run
    # ------------------------------------------------------------------
    @api.model
    def _ai_check_enabled(self, config):
        if not config.enabled:
            _logger.info("AI classification skipped: disabled in Settings (lead_flow.ai_enabled).")
            return False
        if not config.api_key:
            _logger.warning("AI classification skipped: no API key (lead_flow.ai_api_key).")
            return False
        return True

    @api.model
    def _ai_classify_run(self, config, limit, log_ids=None, commit=True):
        """Classify up to ``limit`` notes (the pending ones, or ``log_ids``) in batches.

        With ``commit`` (the scheduled job) each claim and each store is its own committed
        transaction; without it (buttons) everything stays in the caller's transaction.
        """
        stats = {"claimed": 0, "done": 0, "failed": 0, "stopped": False, "last_error": ""}
        if commit:
            # start the claims on a fresh transaction (see _ai_read_committed)
            self.env.cr.commit()  # pylint: disable=invalid-commit
        client = config.make_client()
        failed = []  # a note failing in this run waits for the next run (SQL-excluded)
        try:
            with ThreadPoolExecutor(max_workers=config.concurrency) as pool:
                while stats["claimed"] < limit and not stats["stopped"]:
                    size = min(config.batch_size, limit - stats["claimed"])
                    batch = self._ai_claim_batch(config, size, log_ids, commit, failed)
                    if not batch:
                        break
                    stats["claimed"] += len(batch)
                    if log_ids is not None:  # a selection: each note once per click
                        failed.extend(row["id"] for row in batch)
                    try:
                        results = self._ai_request_batch(client, config, batch, pool)
                        self._ai_store_results(results, commit)
                    except Exception:
                        if commit:
                            self._ai_release_batch([row["id"] for row in batch])
                        raise
                    for log_id, (outcome, value) in results.items():
                        if outcome == "label":
                            stats["done"] += 1
                        elif outcome == "error":
                            stats["failed"] += 1
                            stats["last_error"] = value
                            failed.append(log_id)
                        else:  # not sent after a rate limit: stop, try again next run
                            stats["stopped"] = True
        finally:
            client.close()
        stats["remaining"] = self._ai_pending_count(config) if commit else 0
        return stats

    @api.model
    def _ai_read_committed(self, commit):
        """Run the job's short transactions in READ COMMITTED (first statement of each).

        Odoo's REPEATABLE READ would make a claim or a lead update fail with a serialization
        error whenever another run committed on the same rows after our snapshot; in READ
        COMMITTED PostgreSQL waits for the row lock and re-checks the condition on the row's
        latest version, which is exactly what SKIP LOCKED and the manual re-check need.
        """
        if commit:
            self.env.cr.execute("SET TRANSACTION ISOLATION LEVEL READ COMMITTED")

    @api.model
    def _ai_pending_count(self, config):
        self.env.cr.execute(
            f"SELECT count(*) FROM lead_flow_log l WHERE {PENDING_WHERE} AND {FREE_WHERE}"
            " AND COALESCE(l.ai_attempts, 0) < %s",
            [config.max_attempts],
        )
        return self.env.cr.fetchone()[0]

    @api.model
    def _ai_claim_batch(self, config, size, log_ids, commit, exclude=()):
        """Lock, count an attempt for, and lease up to ``size`` notes; return their data.

        ``SKIP LOCKED`` lets a concurrent run take other notes instead of waiting; the lease
        (committed with the claim) keeps them away from other runs during the HTTP calls.
        """
        self.env.flush_all()
        lease = config.lease_seconds(size)
        if log_ids is None:
            where, params = (
                f"{PENDING_WHERE} AND COALESCE(l.ai_attempts, 0) < %s",
                [config.max_attempts],
            )
        else:
            where, params = f"{CLASSIFIABLE_WHERE} AND l.id IN %s", [tuple(log_ids) or (0,)]
        query = f"""
            WITH claimed AS (
                SELECT l.id FROM lead_flow_log l
                 WHERE {where} AND {FREE_WHERE} AND l.id != ALL(%s::int[])
              ORDER BY l.date DESC, l.id DESC
                 LIMIT %s
                   FOR UPDATE SKIP LOCKED
            )
            UPDATE lead_flow_log l
               SET ai_attempts = COALESCE(l.ai_attempts, 0) + 1,
                   ai_lease_until = (now() AT TIME ZONE 'UTC') + make_interval(secs => %s)
              FROM claimed
             WHERE l.id = claimed.id
         RETURNING l.id, l.lead_id, l.body
        """
        self._ai_read_committed(commit)
        self.env.cr.execute(query, [*params, list(exclude), size, lease])
        rows = self.env.cr.dictfetchall()
        self.invalidate_model(["ai_attempts", "ai_lease_until"])
        if rows and not config.only_text:
            self._ai_add_customer_data(rows)
        if commit:
            # claim before the slow HTTP calls, so that no lock is held during them
            self.env.cr.commit()  # pylint: disable=invalid-commit
        return rows

    @api.model
    def _ai_add_customer_data(self, rows):
        leads = self.env["crm.lead"].browse({row["lead_id"] for row in rows})
        by_id = {lead.id: lead for lead in leads}
        for row in rows:
            lead = by_id[row["lead_id"]]
            row["customer"] = {
                "name": lead.partner_name or lead.contact_name or lead.partner_id.name or "",
                "email": lead.email_from or "",
                "phone": lead.phone or "",
            }

    @api.model
    def _ai_request_batch(self, client, config, batch, pool):
        """Classify every note of ``batch`` concurrently; no ORM access happens here.

        Returns ``{log_id: (kind, value)}`` with kind ``label`` (value: an allowed label),
        ``error`` (value: the message) or ``rate_limited`` (not sent: a 429 stopped the run).
        """
        rate_limited = []

        def work(row):
            if rate_limited:
                return "rate_limited", ""
            try:
                return "label", classify_note(client, config, row["body"], row.get("customer"))
            except openai.RateLimitError as exc:
                rate_limited.append(True)
                return "error", _describe(exc)
            except Exception as exc:
                return "error", _describe(exc)

        rows = list(batch)
        results = dict(zip((row["id"] for row in rows), pool.map(work, rows), strict=True))
        for log_id, (kind, value) in results.items():
            if kind == "error":
                _logger.warning("AI classification of note %s failed: %s", log_id, value)
        return results

    @api.model
    def _ai_store_results(self, results, commit):
        """Write the answers in one short transaction; operator outcomes always win."""
        if not results:
            return
        self.env.flush_all()
        self.env.invalidate_all()  # a new transaction: forget what was read before the calls
        self._ai_read_committed(commit)
        cr = self.env.cr
        cr.execute(
            f"SELECT l.id FROM lead_flow_log l WHERE l.id IN %s AND {CLASSIFIABLE_WHERE} "
            "ORDER BY l.id FOR NO KEY UPDATE",
            [tuple(results)],
        )
        writable = {row[0] for row in cr.fetchall()}
        now = self.env.cr.now()
        labelled = {}
        for log_id, (kind, value) in results.items():
            entry = self.browse(log_id)
            if kind == "label" and log_id in writable and value in LABELS:
                labelled.setdefault(value, []).append(log_id)
            elif kind == "error":
                entry.write({"ai_error": value[:250], "ai_lease_until": False})
            elif kind == "rate_limited":
                # No request was sent for it: give the attempt back.
                entry.write({"ai_attempts": max(entry.ai_attempts - 1, 0), "ai_lease_until": False})
            else:
                entry.write({"ai_lease_until": False})
        for label, ids in labelled.items():
            self.browse(ids).write(
                {
                    "outcome": label,
                    "outcome_source": "ai",
                    "ai_classified_at": now,
                    "ai_error": False,
                    "ai_lease_until": False,
                }
            )
        self._ai_update_leads([log_id for ids in labelled.values() for log_id in ids])
        self.env.flush_all()
        if commit:
            # one transaction per batch: a crash later loses nothing stored here
            cr.commit()  # pylint: disable=invalid-commit

    @api.model
    def _ai_update_leads(self, log_ids):
        """Copy the new outcome on the lead when the note is the lead's latest one."""
        if not log_ids:
            return
        entries = self.browse(log_ids)
        self.env.flush_all()
        lead_ids = tuple(sorted(set(entries.lead_id.ids)))
        # Lock the leads first (in id order: two runs never wait on each other in a cycle),
        # then look for their latest note: a note an operator logs meanwhile is seen.
        self.env.cr.execute(
            "SELECT id FROM crm_lead WHERE id IN %s ORDER BY id FOR NO KEY UPDATE", [lead_ids]
        )
        self.env.cr.execute(
            """
            SELECT DISTINCT ON (l.lead_id) l.lead_id, l.id FROM lead_flow_log l
             WHERE l.lead_id IN %s AND l.origin = 'manual' AND NOT COALESCE(l.undone, FALSE)
          ORDER BY l.lead_id, l.date DESC, l.id DESC
            """,
            [lead_ids],
        )
        latest = dict(self.env.cr.fetchall())
        for entry in entries.sorted(lambda entry: entry.lead_id.id):
            if latest.get(entry.lead_id.id) == entry.id:
                entry.lead_id.write({"lead_flow_outcome": entry.outcome})

    @api.model
    def _ai_release_batch(self, ids):
        """After a crash mid-batch: roll back and hand the notes back to the next run."""
        cr = self.env.cr
        cr.rollback()
        self.env.invalidate_all()
        cr.execute("UPDATE lead_flow_log SET ai_lease_until = NULL WHERE id IN %s", [tuple(ids)])
        cr.commit()  # pylint: disable=invalid-commit


def _describe(exc):
    """A short, log-friendly description of a failed request."""
    if isinstance(exc, openai.APIStatusError):
        return f"HTTP {exc.status_code}: {exc.message}"[:250]
    if isinstance(exc, openai.APITimeoutError):
        return "timeout: the AI endpoint did not answer in time"
    return f"{type(exc).__name__}: {exc}"[:250]
