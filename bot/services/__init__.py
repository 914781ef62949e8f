"""Services the handlers call: residents, onboarding, answers, personal data."""
