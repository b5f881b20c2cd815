/**
 * Stanza routing by the 'to' address (RFC 6120 section 10): to the server, to a local account's
 * entity through Cluster Sharding, or back to the sender as an error when the address is
 * malformed or on a domain this server cannot reach.
 */
package org.kaiku.engine.routing;
