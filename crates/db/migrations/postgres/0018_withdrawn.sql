-- A project a county's package no longer holds (the county marked it a repeated signing, say) is
-- withdrawn in the city, not removed: the city's own records may name it, and its earlier
-- versions keep past days' figures. A withdrawn project counts in no total, like a repeated
-- signing; a later package that holds it again brings it back. The versions keep the column
-- and the triggers copy it. Kept column-for-column identical to ../sqlite/0018_withdrawn.sql.

ALTER TABLE projects ADD COLUMN withdrawn_at TIMESTAMPTZ;
ALTER TABLE project_versions ADD COLUMN withdrawn_at TIMESTAMPTZ;

CREATE OR REPLACE FUNCTION projects_keep_version() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    INSERT INTO project_versions (
        id, region_id, unit_id, name, search, investor_id, industry_section,
        industry_division, key_industry, location_unit_id, first_unit_id, introducer,
        introducer_civil_servant, owner_leader_id, owner_override, agent_id, team,
        total_investment, outside_investment, first_phase_investment, land_mu_x100,
        contract_amount, project_credit_code, national_code, stage, stage_on, paused_from,
        signed_on, is_major, duplicate_of, version, created_at, updated_at, segment_id,
        land_on, origin, withdrawn_at, valid_to)
    VALUES (
        OLD.id, OLD.region_id, OLD.unit_id, OLD.name, OLD.search, OLD.investor_id,
        OLD.industry_section, OLD.industry_division, OLD.key_industry, OLD.location_unit_id,
        OLD.first_unit_id, OLD.introducer, OLD.introducer_civil_servant,
        OLD.owner_leader_id, OLD.owner_override, OLD.agent_id, OLD.team,
        OLD.total_investment, OLD.outside_investment, OLD.first_phase_investment,
        OLD.land_mu_x100, OLD.contract_amount, OLD.project_credit_code, OLD.national_code,
        OLD.stage, OLD.stage_on, OLD.paused_from, OLD.signed_on, OLD.is_major,
        OLD.duplicate_of, OLD.version, OLD.created_at, OLD.updated_at, OLD.segment_id,
        OLD.land_on, OLD.origin, OLD.withdrawn_at,
        CASE WHEN TG_OP = 'UPDATE' THEN NEW.updated_at ELSE clock_timestamp() END);
    RETURN NULL;
END
$$;
