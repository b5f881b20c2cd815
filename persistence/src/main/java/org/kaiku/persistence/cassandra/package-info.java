/**
 * Kaiku on Cassandra: the settings that point Pekko Persistence (journal and snapshots) and
 * Kaiku's own stores at one keyspace, the Cassandra implementations of engine's store contracts
 * (accounts as SCRAM keys, RFC 5802 section 3; offline messages, XEP-0160), and {@link org.kaiku.persistence.cassandra.LocalCassandra},
 * the single node Kaiku runs for itself when no cluster is configured.
 */
package org.kaiku.persistence.cassandra;
