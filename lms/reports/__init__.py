"""Compliance reports for HR, managers and the API, counted in SQL.

`scope` says whose records a viewer may see, `filters` narrows them, `dashboard`
counts statuses and lists the most overdue, `assignments` lists report rows (a page
at a time or in CSV batches), `paging` is the one `Page` every list shares, and
`status_sql` is `lms.status.assignment_status` as a SQL CASE. No Flask here.
"""
