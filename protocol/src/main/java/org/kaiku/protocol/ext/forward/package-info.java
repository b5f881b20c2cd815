/**
 * XEP-0297: Stanza Forwarding, version 1.0. The {@code <forwarded xmlns='urn:xmpp:forward:0'/>}
 * wrapper with its optional XEP-0203 delay and the forwarded stanza, whose own namespace
 * (jabber:client) is kept (section 3.1).
 */
package org.kaiku.protocol.ext.forward;
