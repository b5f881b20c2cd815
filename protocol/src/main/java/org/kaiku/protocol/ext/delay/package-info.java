/**
 * XEP-0203: Delayed Delivery, version 2.0. The {@code <delay xmlns='urn:xmpp:delay'/>} element a
 * server adds to a stanza it held back (an offline message, XEP-0160), with its stamp in the
 * XEP-0082 date-time profile.
 */
package org.kaiku.protocol.ext.delay;
