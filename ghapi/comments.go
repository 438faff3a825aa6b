package ghapi

import (
	"context"
	"fmt"
	"strings"

	"github.com/google/go-github/v60/github"
)

// CommentMode is the `comment` input of the action.
type CommentMode string

const (
	// CommentUpdate edits our previous comment, or creates one.
	CommentUpdate CommentMode = "update"
	// CommentRecreate deletes our previous comment and creates a new one at
	// the bottom of the conversation.
	CommentRecreate CommentMode = "recreate"
	// CommentOff never comments.
	CommentOff CommentMode = "off"
	// CommentOnRegression comments only when something regressed, but always
	// updates an existing comment (so a fixed PR does not keep a stale red one).
	CommentOnRegression CommentMode = "on-regression"
)

// ParseCommentMode validates a `comment` input ("" means update; "true"/"false"
// are accepted as update/off).
func ParseCommentMode(s string) (CommentMode, error) {
	switch strings.ToLower(strings.TrimSpace(s)) {
	case "", "update", "true", "sticky":
		return CommentUpdate, nil
	case "recreate":
		return CommentRecreate, nil
	case "off", "false", "none":
		return CommentOff, nil
	case "on-regression":
		return CommentOnRegression, nil
	}
	return "", fmt.Errorf("comment mode %q: want update, recreate, off or on-regression", s)
}

// CommentRequest is one sticky comment to upsert on a pull request.
type CommentRequest struct {
	Owner, Repo string
	Number      int    // pull request (issue) number
	Marker      string // hidden marker identifying our comment, e.g. "<!-- xpcs-perf:hdf5 -->"
	Body        string // must contain Marker (added at the end when missing)
	Mode        CommentMode
	Regressed   bool // for CommentOnRegression
}

// CommentResult says what UpsertComment did.
type CommentResult struct {
	Action string // "created", "updated", "recreated", "skipped"
	ID     int64
	URL    string // html_url of the comment
}

// UpsertComment finds our comment by marker among all comments of the pull
// request (paginated) and edits, recreates or creates it according to the
// mode. A 403/404 (fork pull requests, read-only tokens) comes back as an
// error for which IsPermission is true: callers fall back to the job summary.
func (c *Client) UpsertComment(ctx context.Context, r CommentRequest) (CommentResult, error) {
	if r.Mode == "" {
		r.Mode = CommentUpdate
	}
	if r.Mode == CommentOff || r.Number <= 0 {
		return CommentResult{Action: "skipped"}, nil
	}
	if r.Marker == "" {
		return CommentResult{}, fmt.Errorf("upsert comment on #%d: empty marker", r.Number)
	}
	body := r.Body
	if !strings.Contains(body, r.Marker) {
		body += "\n" + r.Marker + "\n"
	}
	old, err := c.FindComment(ctx, r.Owner, r.Repo, r.Number, r.Marker)
	if err != nil {
		return CommentResult{}, err
	}
	if r.Mode == CommentOnRegression && old == nil && !r.Regressed {
		return CommentResult{Action: "skipped"}, nil
	}
	if old != nil && r.Mode != CommentRecreate {
		var ed *github.IssueComment
		err := c.call(ctx, fmt.Sprintf("edit comment %d on #%d", old.GetID(), r.Number), func() (*github.Response, error) {
			var resp *github.Response
			var err error
			ed, resp, err = c.gh.Issues.EditComment(ctx, r.Owner, r.Repo, old.GetID(), &github.IssueComment{Body: github.String(body)})
			return resp, err
		})
		if err != nil {
			return CommentResult{}, err
		}
		return CommentResult{Action: "updated", ID: ed.GetID(), URL: ed.GetHTMLURL()}, nil
	}
	action := "created"
	if old != nil {
		action = "recreated"
		err := c.call(ctx, fmt.Sprintf("delete comment %d on #%d", old.GetID(), r.Number), func() (*github.Response, error) {
			return c.gh.Issues.DeleteComment(ctx, r.Owner, r.Repo, old.GetID())
		})
		if err != nil {
			return CommentResult{}, err
		}
	}
	var cr *github.IssueComment
	err = c.call(ctx, fmt.Sprintf("create comment on #%d", r.Number), func() (*github.Response, error) {
		var resp *github.Response
		var err error
		cr, resp, err = c.gh.Issues.CreateComment(ctx, r.Owner, r.Repo, r.Number, &github.IssueComment{Body: github.String(body)})
		return resp, err
	})
	if err != nil {
		return CommentResult{}, err
	}
	return CommentResult{Action: action, ID: cr.GetID(), URL: cr.GetHTMLURL()}, nil
}

// FindComment returns the newest comment of the pull request whose body
// contains marker, or nil. It walks every page (100 per page).
func (c *Client) FindComment(ctx context.Context, owner, repo string, number int, marker string) (*github.IssueComment, error) {
	opt := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: 100}}
	var found *github.IssueComment
	for {
		var list []*github.IssueComment
		var resp *github.Response
		err := c.call(ctx, fmt.Sprintf("list comments of #%d", number), func() (*github.Response, error) {
			var err error
			list, resp, err = c.gh.Issues.ListComments(ctx, owner, repo, number, opt)
			return resp, err
		})
		if err != nil {
			return nil, err
		}
		for _, cm := range list {
			if strings.Contains(cm.GetBody(), marker) {
				found = cm // later pages are newer: keep the last
			}
		}
		if resp.NextPage == 0 {
			return found, nil
		}
		opt.Page = resp.NextPage
	}
}
