-- llmops schema 9: the event rows and the rollups compressed on disk
-- (issue 11: at most 250 bytes an event at 10 million events).
--
-- MariaDB's InnoDB page compression: each page is compressed with zlib
-- (innodb_compression_algorithm, innodb_compression_level) when it is
-- written to disk, and the space it no longer needs is given back to the
-- file system by punching a hole in the file. The buffer pool holds pages
-- uncompressed, so reads from memory cost nothing more, and inserts do not
-- wait for the compression (it happens when the page is flushed).
-- Measured at 10 million events (doc/PERFORMANCE, tools/bench --read):
-- the event rows take 168 bytes an event on disk instead of 352, all the
-- tables 243 instead of 601; the loader stores as many events a second as
-- before.
--
-- What shows it: information_schema.INNODB_SYS_TABLESPACES.ALLOCATED_SIZE
-- (information_schema.TABLES.DATA_LENGTH counts pages uncompressed). The
-- file system must punch holes (ext4, XFS, Btrfs and tmpfs do); where it
-- cannot, MariaDB says so in its error log and the tables take their
-- uncompressed size, nothing else changes.
--
-- The option is in MariaDB's executable comments: MySQL, which has no
-- PAGE_COMPRESSED, reads `ALTER TABLE t` and leaves the table as it is.
-- Each ALTER copies its table: about 2.5 minutes for 10 million events.

ALTER TABLE usage_event_rows /*M!100100 PAGE_COMPRESSED=1 */;
ALTER TABLE usage_hourly /*M!100100 PAGE_COMPRESSED=1 */;
ALTER TABLE usage_rollup /*M!100100 PAGE_COMPRESSED=1 */;
ALTER TABLE usage_rollup_hist /*M!100100 PAGE_COMPRESSED=1 */;
ALTER TABLE usage_errors /*M!100100 PAGE_COMPRESSED=1 */;
