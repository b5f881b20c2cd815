/**
 * XEP-0359: Unique and Stable Stanza IDs, version 0.7.0. The {@code <stanza-id/>} an archiving
 * entity adds to a message (with the spoofing rule of section 5: one carrying our own 'by' is
 * removed before ours is added) and the client's {@code <origin-id/>}. Namespace {@code urn:xmpp:sid:0}.
 */
package org.kaiku.protocol.ext.sid;
