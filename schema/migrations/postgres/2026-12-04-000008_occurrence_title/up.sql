-- A tool may reword a finding's title from one scan to the next while its identity (the
-- fingerprint) stays. The finding keeps the title it was first seen with; each occurrence keeps
-- the title of its own scan, so a release shows the wording of the scan it shows the finding
-- from. Occurrences stored before this change have none and fall back to the finding's.
ALTER TABLE occurrences ADD COLUMN title TEXT;
