'use strict';
// An echo server on ws, for Duplex's interop tests:
//   node echo-server.js [--tls-cert PEM --tls-key PEM] [--permessage-deflate JSON]
//
// It listens on 127.0.0.1, port 0, with TLS (wss://) when given a certificate and its key. ws accepts no
// permessage-deflate unless --permessage-deflate gives its perMessageDeflate options as JSON, for example
// '{"threshold":0,"serverMaxWindowBits":9}' (threshold 0: every message is compressed). It prints one line on stdout
// for each event the test asserts on:
//   listening PORT          once, when it accepts connections
//   extensions VALUE        a handshake is being answered: the Sec-WebSocket-Extensions value of the response,
//                           empty when ws agreed to none
//   ping HEX                a Ping arrived with this payload (ws answers it with a Pong by itself)
//   closed CODE REASON      a connection ended; the code and reason of the Close frame it received
//   error MESSAGE           ws failed a connection
// Text is echoed as text and binary as binary. The text message "close:CODE:REASON" makes the server start the
// closing handshake with that code and reason instead. The server exits when its standard input ends, so that it
// cannot outlive the test that started it.
const fs = require('fs');
const https = require('https');
const { WebSocketServer } = require('ws');

const MAX_PAYLOAD = 16 * 1024 * 1024;

function option(name) {
  const i = process.argv.indexOf(name);
  return i < 0 ? undefined : process.argv[i + 1];
}

const certFile = option('--tls-cert');
const keyFile = option('--tls-key');
const deflate = option('--permessage-deflate');
const options = { maxPayload: MAX_PAYLOAD, perMessageDeflate: deflate === undefined ? false : JSON.parse(deflate) };
let server;
if (certFile || keyFile) {
  const tls = https.createServer({ cert: fs.readFileSync(certFile), key: fs.readFileSync(keyFile) });
  server = new WebSocketServer({ server: tls, ...options });
  tls.listen(0, '127.0.0.1', () => console.log(`listening ${tls.address().port}`));
} else {
  server = new WebSocketServer({ host: '127.0.0.1', port: 0, ...options });
  server.on('listening', () => console.log(`listening ${server.address().port}`));
}

// The response head, just before ws writes it: the one place the server's own extension answer can be read.
server.on('headers', (headers) => {
  const answer = headers.find((line) => /^sec-websocket-extensions:/i.test(line));
  console.log(`extensions ${answer === undefined ? '' : answer.slice(answer.indexOf(':') + 1).trim()}`);
});

server.on('connection', (ws) => {
  ws.on('message', (data, isBinary) => {
    if (!isBinary) {
      const request = /^close:(\d+):(.*)$/s.exec(data.toString('utf8'));
      if (request) {
        ws.close(Number(request[1]), request[2]);
        return;
      }
    }
    ws.send(data, { binary: isBinary });
  });
  ws.on('ping', (data) => console.log(`ping ${data.toString('hex')}`));
  ws.on('close', (code, reason) => console.log(`closed ${code} ${reason.toString('utf8')}`));
  ws.on('error', (err) => console.log(`error ${err.message}`));
});

process.stdin.on('end', () => process.exit(0));
process.stdin.resume();
