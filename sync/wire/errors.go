package wire

import (
	"errors"
	"fmt"
	"net/http"
)

// Code names a kind of failure on the wire. The list is append-only: do
// not reorder, rename or remove a code, since devices already in the field
// match on them.
type Code string

const (
	// CodeBadRequest: the request is malformed; sending it again will not help.
	CodeBadRequest Code = "bad_request"
	// CodeProtocolVersion: the request's protocol version is not the server's.
	CodeProtocolVersion Code = "protocol_version"
	// CodeConflict: a different body already exists under this record id.
	// The entry is kept aside for review and nothing is overwritten.
	CodeConflict Code = "conflict"
	// CodeSequenceReused: this device already pushed a different entry
	// under this sequence number. The entry is kept aside for review.
	CodeSequenceReused Code = "sequence_reused"
	// CodeTooLarge: the request, or an entry in it, is over a limit.
	CodeTooLarge Code = "too_large"
	// CodeUnsupportedEncoding: the body's content type or encoding is not
	// JSON, optionally gzip-compressed.
	CodeUnsupportedEncoding Code = "unsupported_encoding"
	// CodeMethodNotAllowed: wrong HTTP method for the path.
	CodeMethodNotAllowed Code = "method_not_allowed"
	// CodeNotFound: no such path.
	CodeNotFound Code = "not_found"
	// CodeUnavailable: the server is shutting down or overloaded; try later.
	CodeUnavailable Code = "unavailable"
	// CodeInternal: the server failed; try later.
	CodeInternal Code = "internal"
	// CodeInvalidRecord: the entry's body breaks the record rules (a Duty
	// to Notify carrying identifying details, a draft, an amendment of a
	// record the server does not hold, ...). It is not stored, nor kept
	// aside, since it may hold what must not be kept; it counts towards
	// Ack so the outbox moves on, and the device keeps its own copy.
	CodeInvalidRecord Code = "invalid_record"

	// Codes of protocol 2: who is asking, and what they may do.

	// CodeUnauthenticated: the request is not signed, or not by a device
	// the server knows, or the signature does not match.
	CodeUnauthenticated Code = "unauthenticated"
	// CodeReplayed: the server has already seen this request's nonce.
	CodeReplayed Code = "replayed"
	// CodeClockSkew: the request's time is too far from the server's, or
	// before the server started; Error.ServerTime says the server's time,
	// and the device re-signs once with its clock corrected.
	CodeClockSkew Code = "clock_skew"
	// CodeDeviceRevoked: this device has been revoked. It must stop, and
	// wipe what it holds.
	CodeDeviceRevoked Code = "device_revoked"
	// CodeAccountDisabled: the device's account has been disabled.
	CodeAccountDisabled Code = "account_disabled"
	// CodeForbidden: the account's roles do not allow this request, or
	// (in Rejected) this entry, such as an amendment of a record the
	// account may not see.
	CodeForbidden Code = "forbidden"
	// CodeIdentityMismatch: in Rejected, an entry whose body names another
	// device, officer or author than the signing device and its account.
	// It is not stored, nor kept aside; the message names the field.
	CodeIdentityMismatch Code = "identity_mismatch"
	// CodeEnrolmentRefused: the enrolment code is unknown, expired, used,
	// burnt by wrong proofs, or the proof is wrong.
	CodeEnrolmentRefused Code = "enrolment_refused"
	// CodeRateLimited: too many requests from this address or device, or
	// the server is at its limit of requests in flight; the response's
	// Retry-After header says how many seconds to wait.
	CodeRateLimited Code = "rate_limited"

	// Codes of protocol 3: evidence, and a server that cannot be starved.

	// CodeSignatureInvalid: in Rejected, an entry whose signature does not
	// verify over its canonical body with the key enrolled for the
	// signing device. It is not stored, nor kept aside.
	CodeSignatureInvalid Code = "signature_invalid"
	// CodeAsideFull: this device has as many entries kept aside for
	// review as its quota allows (count or bytes); nothing of the push
	// from that entry on was taken. The device keeps its entries and
	// tries later (Retry-After); an administrator reviews what is aside.
	CodeAsideFull Code = "aside_full"
)

// HTTPStatus is the HTTP status a server answers with for c.
func (c Code) HTTPStatus() int {
	switch c {
	case CodeBadRequest, CodeProtocolVersion:
		return http.StatusBadRequest
	case CodeConflict, CodeSequenceReused:
		return http.StatusConflict
	case CodeInvalidRecord:
		return http.StatusUnprocessableEntity
	case CodeTooLarge:
		return http.StatusRequestEntityTooLarge
	case CodeUnsupportedEncoding:
		return http.StatusUnsupportedMediaType
	case CodeMethodNotAllowed:
		return http.StatusMethodNotAllowed
	case CodeNotFound:
		return http.StatusNotFound
	case CodeUnavailable:
		return http.StatusServiceUnavailable
	case CodeUnauthenticated, CodeReplayed, CodeClockSkew:
		return http.StatusUnauthorized
	case CodeDeviceRevoked, CodeAccountDisabled, CodeForbidden, CodeIdentityMismatch, CodeEnrolmentRefused:
		return http.StatusForbidden
	case CodeRateLimited:
		return http.StatusTooManyRequests
	case CodeSignatureInvalid:
		return http.StatusUnprocessableEntity
	case CodeAsideFull:
		return http.StatusInsufficientStorage
	}
	return http.StatusInternalServerError
}

// Temporary reports whether a request that failed with c may succeed if
// sent again later, unchanged.
func (c Code) Temporary() bool {
	return c == CodeUnavailable || c == CodeInternal || c == CodeRateLimited || c == CodeAsideFull
}

// Error is a failure as it travels on the wire, in the body of every
// response that is not 2xx: {"error": {"code": ..., "message": ...}}.
type Error struct {
	Code    Code   `json:"code"`
	Message string `json:"message"`
	// ServerTime is the server's clock in Unix milliseconds, sent with
	// CodeClockSkew so that the device can correct its own.
	ServerTime int64 `json:"server_time,omitempty"`
}

// ErrorResponse is the body of a failed response.
type ErrorResponse struct {
	Error Error `json:"error"`
}

// Errorf returns an *Error with code c and a formatted message.
func Errorf(c Code, format string, args ...any) *Error {
	return &Error{Code: c, Message: fmt.Sprintf(format, args...)}
}

func (e *Error) Error() string {
	return string(e.Code) + ": " + e.Message
}

// Is makes errors.Is(err, ErrX) match an *Error by its code alone.
func (e *Error) Is(target error) bool {
	t, ok := target.(*Error)
	return ok && t.Message == "" && t.Code == e.Code
}

// Sentinels to test a returned error against with errors.Is.
var (
	ErrBadRequest      = &Error{Code: CodeBadRequest}
	ErrProtocolVersion = &Error{Code: CodeProtocolVersion}
	ErrConflict        = &Error{Code: CodeConflict}
	ErrTooLarge        = &Error{Code: CodeTooLarge}
	ErrUnavailable     = &Error{Code: CodeUnavailable}
	ErrUnauthenticated = &Error{Code: CodeUnauthenticated}
	ErrDeviceRevoked   = &Error{Code: CodeDeviceRevoked}
	ErrAccountDisabled = &Error{Code: CodeAccountDisabled}
	ErrForbidden       = &Error{Code: CodeForbidden}
)

// CodeOf returns the wire code for err: its own if err wraps an *Error,
// CodeInternal otherwise.
func CodeOf(err error) Code {
	var we *Error
	if errors.As(err, &we) {
		return we.Code
	}
	return CodeInternal
}
