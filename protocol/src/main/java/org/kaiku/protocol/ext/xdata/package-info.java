/**
 * XEP-0004: Data Forms, version 2.13.2 (and the {@code <validate/>} element of XEP-0122: Data Forms
 * Validation). Only what the server's own forms need: reading submitted forms (fields with their
 * values) and writing forms and results. Namespace {@code jabber:x:data}.
 */
package org.kaiku.protocol.ext.xdata;
