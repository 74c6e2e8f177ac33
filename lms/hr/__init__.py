"""HR and managers: compliance dashboard, reports, transcripts, exemptions and the audit trail."""
