"""Pure logic: the engine, questionnaire, validators, eligibility, config, catalogs, planning."""
