/**
 * XEP-0114: Jabber Component Protocol, version 1.6. A trusted external service (a gateway, a bot,
 * a push app server) connects to the server over TCP with a {@code jabber:component:accept}
 * stream, proves a shared secret with {@code <handshake/>}, and then sends and receives stanzas
 * for its own domain.
 */
package org.kaiku.protocol.component;
