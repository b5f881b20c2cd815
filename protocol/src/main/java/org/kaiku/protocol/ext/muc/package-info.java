/**
 * XEP-0045: Multi-User Chat, version 1.35.5, with the occupant id of XEP-0421 (1.0.1), the
 * self-ping answer of XEP-0410 (1.1.0) and the direct invitation of XEP-0249: namespaces,
 * affiliations and roles, the {@code <item/>} of muc#user and muc#admin, and status codes.
 */
package org.kaiku.protocol.ext.muc;
