/**
 * XEP-0059: Result Set Management, version 1.0. The {@code <set xmlns='http://jabber.org/protocol/rsm'/>}
 * element in both directions: the request (max, after, before, index) and the answer (first with
 * its index, last, count).
 */
package org.kaiku.protocol.ext.rsm;
