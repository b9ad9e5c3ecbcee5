package pgstore

import (
	"context"
	"time"

	"github.com/jackc/pgx/v5"
)

const minute = time.Minute

func timeNow() time.Time { return time.Now() }

func pgxConnect(ctx context.Context, url string) (*pgx.Conn, error) { return pgx.Connect(ctx, url) }
