/**
 * SASL for XMPP (RFC 6120 section 6): the server side of SCRAM (RFC 5802, RFC 7677) with
 * channel binding (RFC 5929, RFC 9266 names), PLAIN (RFC 4616), stored SCRAM credentials and the
 * failure conditions of RFC 6120 section 6.5. No I/O and no threads: the stream negotiator feeds
 * the decoded messages in and looks credentials up between the steps.
 */
package org.kaiku.protocol.sasl;
