package joinerr_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/hashicorp/go-multierror"
	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/esxi-hva/esxi-hva/internal/joinerr"
)

var (
	errA = errors.New("a")
	errB = errors.New("b")
)

type typed struct{ n int }

func (t *typed) Error() string { return fmt.Sprint("typed ", t.n) }

func TestJoinDropsNils(t *testing.T) {
	assert.NoError(t, joinerr.Join())
	assert.NoError(t, joinerr.Join(nil, nil))
	var none *multierror.Error
	assert.NoError(t, joinerr.Join(none, nil))
}

func TestJoinReturnsASingleErrorAsItIs(t *testing.T) {
	assert.Same(t, errA, joinerr.Join(nil, errA, nil))
	wrapped := fmt.Errorf("ctx: %w", errB)
	assert.Equal(t, wrapped, joinerr.Join(wrapped))
}

func TestJoinKeepsEveryErrorInOrder(t *testing.T) {
	tp := &typed{7}
	err := joinerr.Join(errA, nil, fmt.Errorf("w: %w", tp), errB)
	var merr *multierror.Error
	require.ErrorAs(t, err, &merr)
	require.Len(t, merr.Errors, 3)
	assert.Same(t, errA, merr.Errors[0])
	assert.Same(t, errB, merr.Errors[2])
	assert.ErrorIs(t, err, errA)
	assert.ErrorIs(t, err, errB)
	var got *typed
	require.ErrorAs(t, err, &got)
	assert.Equal(t, 7, got.n)
}

func TestJoinFlattensNestedAggregates(t *testing.T) {
	inner := joinerr.Join(errA, errB)
	err := joinerr.Join(inner, errA)
	var merr *multierror.Error
	require.ErrorAs(t, err, &merr)
	assert.Len(t, merr.Errors, 3)
}
