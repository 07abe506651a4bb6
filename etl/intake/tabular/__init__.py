"""CSV and Excel intake: practice-management exports of claims, remittances, coding audits, coders and fee schedules."""
