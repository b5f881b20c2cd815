/**
 * HTTP File Upload (XEP-0363): the upload service on its own domain (slots over XMPP) and the
 * HTTPS side on pekko-http (PUT into a slot, GET the file), files kept by a {@link
 * org.kaiku.engine.upload.FileStore}.
 */
package org.kaiku.engine.upload;
