/**
 * XEP-0124 Bidirectional-streams Over Synchronous HTTP (BOSH), version 1.11.2, and its XMPP
 * profile XEP-0206 XMPP Over BOSH, version 1.4: the {@code <body/>} wrapper of each HTTP request
 * and response.
 */
package org.kaiku.protocol.bosh;
