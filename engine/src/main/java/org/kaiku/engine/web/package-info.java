/**
 * Web transports for browser clients on pekko-http: XMPP over WebSocket (RFC 7395), whose
 * sessions are ordinary c2s sessions ({@link org.kaiku.engine.c2s.C2sListener}), and the
 * host-meta discovery of XEP-0156.
 */
package org.kaiku.engine.web;
