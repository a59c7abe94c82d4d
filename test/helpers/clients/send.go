// Sends one message with Go's net/smtp, configured from MP_* variables, and exits with
// log.Fatal on the first error, as most Go programs do.
package main

import (
	"crypto/tls"
	"crypto/x509"
	"log"
	"net"
	"net/smtp"
	"os"
	"strconv"
	"strings"
	"time"
)

func main() {
	host, port := os.Getenv("MP_HOST"), os.Getenv("MP_PORT")
	config := &tls.Config{ServerName: host}
	if ca := os.Getenv("MP_CA"); ca != "" {
		pem, err := os.ReadFile(ca)
		if err != nil {
			log.Fatal(err)
		}
		config.RootCAs = x509.NewCertPool()
		config.RootCAs.AppendCertsFromPEM(pem)
	}
	seconds, err := strconv.Atoi(os.Getenv("MP_TIMEOUT"))
	if err != nil {
		seconds = 2
	}
	timeout := time.Duration(seconds) * time.Second
	dialer := &net.Dialer{Timeout: timeout}
	var conn net.Conn
	if os.Getenv("MP_TLS") == "implicit" {
		conn, err = tls.DialWithDialer(dialer, "tcp", net.JoinHostPort(host, port), config)
	} else {
		conn, err = dialer.Dial("tcp", net.JoinHostPort(host, port))
	}
	if err != nil {
		log.Fatal(err)
	}
	conn.SetDeadline(time.Now().Add(timeout))
	client, err := smtp.NewClient(conn, host)
	if err != nil {
		log.Fatal(err)
	}
	if os.Getenv("MP_TLS") == "starttls" {
		if err := client.StartTLS(config); err != nil {
			log.Fatal(err)
		}
	}
	if user := os.Getenv("MP_USER"); user != "" {
		if err := client.Auth(smtp.PlainAuth("", user, os.Getenv("MP_PASS"), host)); err != nil {
			log.Fatal(err)
		}
	}
	from := os.Getenv("MP_FROM")
	if from == "" {
		from = "alice@example.com"
	}
	if err := client.Mail(from); err != nil {
		log.Fatal(err)
	}
	to := os.Getenv("MP_TO")
	if to == "" {
		to = "bob@example.com"
	}
	if err := client.Rcpt(to); err != nil {
		log.Fatal(err)
	}
	size, _ := strconv.Atoi(os.Getenv("MP_BODY_BYTES"))
	w, err := client.Data()
	if err != nil {
		log.Fatal(err)
	}
	message := "From: " + from + "\r\nTo: " + to + "\r\nSubject: test\r\n\r\n" + strings.Repeat("x", size+10)
	if _, err := w.Write([]byte(message)); err != nil {
		log.Fatal(err)
	}
	if err := w.Close(); err != nil {
		log.Fatal(err)
	}
	if err := client.Quit(); err != nil {
		log.Fatal(err)
	}
	log.Print("sent")
}
