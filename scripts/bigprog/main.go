// Command bigprog is the large program of scripts/bench.sh: it links much of Go's standard
// library (net/http, crypto/tls, encoding/json, text/template, html/template, database/sql,
// compress, image, ...) so that start-up is measured on a binary the size of a real server.
//
//	bigprog   prints "ready pid=<PID>", serves HTTP on a loopback port and makes a request to
//	          itself every 10 ms (so net/http.(*conn) methods run), until EOF on stdin.
package main

import (
	"archive/zip"
	"bytes"
	"compress/gzip"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha256"
	"crypto/tls"
	"crypto/x509"
	"database/sql"
	"encoding/json"
	"encoding/xml"
	"fmt"
	htmltemplate "html/template"
	"image"
	"image/png"
	"io"
	"net"
	"net/http"
	"net/http/httputil"
	"net/mail"
	"net/smtp"
	"os"
	"regexp"
	"text/template"
	"time"
)

type item struct {
	Name  string `json:"name" xml:"name"`
	Count int    `json:"count" xml:"count"`
}

// use keeps every package linked in without running most of it.
func use() {
	var buf bytes.Buffer
	zw := zip.NewWriter(&buf)
	zw.Close()
	gz := gzip.NewWriter(&buf)
	gz.Close()
	key, _ := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	_ = key
	_ = sha256.Sum256(buf.Bytes())
	_ = x509.NewCertPool()
	_ = &tls.Config{}
	_, _ = sql.Open("none", "")
	_ = xml.NewEncoder(io.Discard).Encode(item{"a", 1})
	_ = template.Must(template.New("t").Parse("{{.Name}}")).Execute(io.Discard, item{"a", 1})
	_ = htmltemplate.Must(htmltemplate.New("h").Parse("<b>{{.Name}}</b>")).Execute(io.Discard, item{"a", 1})
	_ = png.Encode(io.Discard, image.NewRGBA(image.Rect(0, 0, 1, 1)))
	_ = httputil.NewSingleHostReverseProxy
	_, _ = mail.ParseAddress("a@b.c")
	_ = smtp.PlainAuth
	_ = regexp.MustCompile("a+b")
}

func main() {
	if len(os.Args) > 1 && os.Args[1] == "use" {
		use()
	}
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	http.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		json.NewEncoder(w).Encode(item{"x", 1})
	})
	go http.Serve(ln, nil)
	url := "http://" + ln.Addr().String() + "/"
	go func() {
		for {
			if resp, err := http.Get(url); err == nil {
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
			}
			time.Sleep(10 * time.Millisecond)
		}
	}()
	fmt.Printf("ready pid=%d\n", os.Getpid())
	io.Copy(io.Discard, os.Stdin)
}
