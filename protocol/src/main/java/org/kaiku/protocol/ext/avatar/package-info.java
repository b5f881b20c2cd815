/**
 * XEP-0153: vCard-Based Avatars, version 1.1.1, with the server-side presence rule of XEP-0398
 * section 4 (User Avatar to vCard-Based Avatars Conversion, version 1.0.0): the SHA-1 of the
 * image in a vCard's {@code PHOTO/BINVAL}, and the {@code <x xmlns='vcard-temp:x:update'/>}
 * element that carries it in presence.
 */
package org.kaiku.protocol.ext.avatar;
