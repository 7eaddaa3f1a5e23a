package dev.berth.distribution;

import dev.berth.errors.InvalidArgumentException;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.DirectoryStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.GeneralSecurityException;
import java.security.KeyFactory;
import java.security.KeyStore;
import java.security.PrivateKey;
import java.security.cert.Certificate;
import java.security.cert.CertificateFactory;
import java.security.cert.X509Certificate;
import java.security.spec.PKCS8EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.List;
import javax.net.ssl.KeyManagerFactory;
import javax.net.ssl.SSLContext;
import javax.net.ssl.TrustManager;
import javax.net.ssl.TrustManagerFactory;
import javax.net.ssl.X509TrustManager;

/**
 * TLS settings per registry host from a certs.d directory laid out as Docker's: every {@code *.crt}
 * is a CA added to the system's, and {@code client.cert} with {@code client.key} (PKCS#8 PEM, RSA or
 * EC) is the client certificate.
 */
final class TlsContexts {
  private TlsContexts() {}

  /** The context for {@code hostPort}: the system CAs plus what certs.d adds; null when certs.d has nothing for it. */
  static SSLContext forHost(Path certsDir, String hostPort) {
    Path dir = certsDir == null ? null : certsDir.resolve(hostPort);
    if (dir == null || !Files.isDirectory(dir)) {
      return null;
    }
    try {
      var cas = new ArrayList<X509Certificate>();
      Path clientCert = null;
      Path clientKey = null;
      try (DirectoryStream<Path> files = Files.newDirectoryStream(dir)) {
        for (Path f : files) {
          String name = f.getFileName().toString();
          if (name.endsWith(".crt")) {
            cas.addAll(readCertificates(f));
          } else if (name.endsWith(".cert")) {
            clientCert = f;
            clientKey = dir.resolve(name.substring(0, name.length() - ".cert".length()) + ".key");
            if (!Files.exists(clientKey)) {
              throw new InvalidArgumentException("client certificate " + f + " has no key " + clientKey);
            }
          }
        }
      }
      var trust = KeyStore.getInstance(KeyStore.getDefaultType());
      trust.load(null, null);
      int i = 0;
      for (X509Certificate ca : systemCas()) {
        trust.setCertificateEntry("system-" + i++, ca);
      }
      for (X509Certificate ca : cas) {
        trust.setCertificateEntry("certs.d-" + i++, ca);
      }
      var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
      tmf.init(trust);
      javax.net.ssl.KeyManager[] keyManagers = null;
      if (clientCert != null) {
        var keys = KeyStore.getInstance("PKCS12");
        keys.load(null, null);
        List<X509Certificate> chain = readCertificates(clientCert);
        keys.setKeyEntry("client", readKey(clientKey), new char[0], chain.toArray(Certificate[]::new));
        var kmf = KeyManagerFactory.getInstance(KeyManagerFactory.getDefaultAlgorithm());
        kmf.init(keys, new char[0]);
        keyManagers = kmf.getKeyManagers();
      }
      var ctx = SSLContext.getInstance("TLS");
      ctx.init(keyManagers, tmf.getTrustManagers(), null);
      return ctx;
    } catch (IOException | GeneralSecurityException e) {
      throw new InvalidArgumentException("reading TLS settings for " + hostPort + " from " + dir + ": " + e.getMessage(), e);
    }
  }

  /** Accepts any server certificate: only for registries configured as insecure, as Docker does. */
  static SSLContext trustingAll() {
    try {
      var ctx = SSLContext.getInstance("TLS");
      ctx.init(null, new TrustManager[] {new X509TrustManager() {
        @Override
        public void checkClientTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public void checkServerTrusted(X509Certificate[] chain, String authType) {}

        @Override
        public X509Certificate[] getAcceptedIssuers() {
          return new X509Certificate[0];
        }
      }}, null);
      return ctx;
    } catch (GeneralSecurityException e) {
      throw new IllegalStateException(e);
    }
  }

  private static List<X509Certificate> systemCas() throws GeneralSecurityException {
    var tmf = TrustManagerFactory.getInstance(TrustManagerFactory.getDefaultAlgorithm());
    tmf.init((KeyStore) null);
    var out = new ArrayList<X509Certificate>();
    for (TrustManager tm : tmf.getTrustManagers()) {
      if (tm instanceof X509TrustManager x) {
        out.addAll(List.of(x.getAcceptedIssuers()));
      }
    }
    return out;
  }

  private static List<X509Certificate> readCertificates(Path pem) throws IOException, GeneralSecurityException {
    try (InputStream in = Files.newInputStream(pem)) {
      var out = new ArrayList<X509Certificate>();
      for (Certificate c : CertificateFactory.getInstance("X.509").generateCertificates(in)) {
        out.add((X509Certificate) c);
      }
      return out;
    }
  }

  private static PrivateKey readKey(Path pem) throws IOException, GeneralSecurityException {
    String text = Files.readString(pem);
    if (!text.contains("BEGIN PRIVATE KEY")) {
      throw new InvalidArgumentException("client key " + pem + " is not a PKCS#8 PEM (BEGIN PRIVATE KEY); convert it with"
          + " openssl pkcs8 -topk8 -nocrypt");
    }
    byte[] der = Base64.getMimeDecoder().decode(text.replaceAll("-----[A-Z ]+-----", ""));
    var spec = new PKCS8EncodedKeySpec(der);
    try {
      return KeyFactory.getInstance("RSA").generatePrivate(spec);
    } catch (GeneralSecurityException notRsa) {
      return KeyFactory.getInstance("EC").generatePrivate(spec);
    }
  }
}
