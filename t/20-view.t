# The shipped site through a real httpd and the shipped conf/cwiki.conf:
# views by bin/view and short URLs, view parameters, and bad requests, each
# answered with a fitting status while the server keeps serving.
use strict;
use warnings;
use Test::More;
use Cwiki::Test qw(shipped_site http start_httpd);

my $site  = shipped_site();
mkdir "$site/pub/Trash";
open(my $tf, '>', "$site/pub/Trash/x") or die;
print $tf "deleted\n";
close $tf;
chmod 0755, "$site/pub/Trash";
my $httpd = start_httpd(root => $site, extra => "CwikiMaxBodySize 100000\n");
my $ua    = http();
my $u     = sub { $httpd->url(@_) };

sub get { $ua->get($u->(shift)) }

my $still_serving = sub {
    my $what = shift;
    my $r = get('/foswiki/Main/WebHome');
    is($r->{status}, 200, "still serving after $what");
};

# --- views ---
my $r = get('/foswiki/');
is($r->{status}, 200, '/foswiki/ answers');
like($r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'as UTF-8 HTML');
like($r->{content}, qr/<!DOCTYPE html>/, 'a complete page');
my $front = $r->{content};

$r = get('/foswiki/Main/WebHome');
is($r->{status}, 200, 'short URL of Main.WebHome');
is($r->{content}, $front, '/foswiki/ is Main.WebHome');

open(my $fh, '<', "$site/data/Main/WebHome.txt") or die;
my ($title) = grep { /^---\+/ } <$fh>;
close $fh;
$title =~ s/^---\+!*\s*//;
$title =~ s/\s+$//;
like($front, qr/\Q$title\E/, "the front page shows Main.WebHome's title ($title)");
unlike($front, qr/%META:/, 'META lines are not shown');

$r = get('/foswiki/bin/view/Main/WebHome?x=1');
is($r->{status}, 302, 'bin/view redirects to the short URL, as Foswiki\'s rewrite rules do');
like($r->{headers}{location}, qr{/foswiki/Main/WebHome\?x=1$}, 'keeping the query string');
$r = http(max_redirect => 3)->get($u->('/foswiki/bin/view/System/WebHome'));
is($r->{status}, 200, 'and the redirect leads to the page');

for my $path ('/foswiki/System/', '/foswiki/System', '/foswiki/System/WebHome', '/foswiki/System.WebHome',
              '/foswiki/Sandbox/WebHome', '/foswiki/Main/WebPreferences') {
    is(get($path)->{status}, 200, "$path answers 200");
}

$r = get('/foswiki/System/TextFormatting?skin=text');
is($r->{status}, 200, 'skin=text');
like($r->{headers}{'content-type'}, qr{^text/html; charset=utf-8}, 'skin=text is UTF-8 HTML');
unlike($r->{content}, qr/<html|<body|<!DOCTYPE/i, 'skin=text gives only the topic body');

$r = get('/foswiki/System/TextFormatting?raw=on');
is($r->{status}, 200, 'raw=on');
like($r->{content}, qr/&lt;verbatim&gt;/, 'raw=on shows the source, escaped');

$r = get('/foswiki/System/TextFormatting?raw=text');
like($r->{headers}{'content-type'}, qr{^text/plain}, 'raw=text is plain text');
like($r->{content}, qr/<verbatim>/, 'with the source as written');

$r = get('/robots.txt');
is($r->{status}, 200, 'robots.txt is served');

# --- missing things ---
$r = get('/foswiki/Main/NoSuchTopic');
is($r->{status}, 404, 'a missing topic is 404');
like($r->{content}, qr/NoSuchTopic.*does not exist/s, 'and the page says so');
$r = get('/foswiki/NoSuchWeb/WebHome');
is($r->{status}, 404, 'a missing web is 404');
like($r->{content}, qr/no web called NoSuchWeb|NoSuchWeb.*does not exist/s, 'and the page says so');

# --- bad input ---
$r = get('/foswiki/bin/frobnicate/Main/WebHome');
is($r->{status}, 404, 'an unknown action is 404');
like($r->{content}, qr/no action.*frobnicate/si, 'with a clear message');
$still_serving->('an unknown action');

is(get('/foswiki/bin/edit/Main/WebHome')->{status}, 501, 'a Foswiki action not available yet is 501');

for my $bad ('/foswiki/Main/Web%20Home', '/foswiki/Main/Web%3BHome', '/foswiki/lowercase/WebHome',
             '/foswiki/Main/Web..Home', '/foswiki/Main/%3Cscript%3E', '/foswiki/Main/' . ('A' x 300),
             '/foswiki/Main/%FF%FE', '/foswiki/Main/WebHome?topic=Bad%00Name') {
    $r = get($bad);
    is($r->{status}, 400, "a bad name is 400: $bad");
}
unlike(get('/foswiki/Main/%3Cscript%3E')->{content}, qr/<script>/, 'the bad name is escaped in the error page');
$still_serving->('bad names');

is(get('/foswiki/Main/WebHome?a=%zz')->{status}, 400, 'a malformed query string is 400');

$r = $ua->request('POST', $u->('/foswiki/Main/WebHome'),
                  { headers => { 'content-type' => 'application/x-www-form-urlencoded' },
                    content => 'a=%G1' });
is($r->{status}, 400, 'a malformed urlencoded body is 400');

$r = $ua->request('POST', $u->('/foswiki/Main/WebHome'),
                  { headers => { 'content-type' => 'multipart/form-data; boundary=XYZ' },
                    content => "--XYZ\r\nContent-Disposition: form-data; name=\"a\"\r\n\r\nno end" });
is($r->{status}, 400, 'a malformed multipart body is 400');
$still_serving->('malformed bodies');

$r = $ua->request('POST', $u->('/foswiki/Main/WebHome'),
                  { headers => { 'content-type' => 'application/octet-stream' },
                    content => 'x' x 200_000 });
is($r->{status}, 413, 'a body over CwikiMaxBodySize is 413');
like($r->{content}, qr/limit of 100000 bytes/, 'and the page names the limit');

my $sent = 0;
$r = $ua->request('POST', $u->('/foswiki/Main/WebHome'),
                  { headers => { 'content-type' => 'application/octet-stream' },
                    content => sub { return $sent++ < 100 ? 'y' x 10_000 : undef } });
is($r->{status}, 413, 'a chunked body over the limit is 413 too');
$still_serving->('oversized bodies');

$r = $ua->request('DELETE', $u->('/foswiki/Main/WebHome'));
is($r->{status}, 405, 'DELETE is 405');

is(get('/foswiki/pub/System/.keep')->{status}, 200, 'attachments are served from pub/');
is(get('/foswiki/pub/Trash/x')->{status}, 403, 'pub/Trash is closed');

is_deeply([$httpd->crashes], [], 'no worker crashed');
done_testing;
