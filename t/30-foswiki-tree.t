# A stock Foswiki 2 tree (../shared/foswiki) served as it is: every topic of
# its System, Main, Sandbox and TestCases webs answers through bin/view and
# through the short URL, and no worker crashes.  Skipped when ../shared is absent.
use strict;
use warnings;
use Test::More;
use Cwiki::Test qw(shared_dir http start_httpd);

my $shared = shared_dir() or plan skip_all => 'no ../shared/foswiki beside the checkout';
my $root = "$shared/foswiki";
my $httpd = start_httpd(root => $root);
my $ua = http(keep_alive => 1);
my $follow = http(keep_alive => 1, max_redirect => 2);

# What Foswiki itself decides for a guest, from the topic's own settings and
# its web's: a topic that denies WikiGuest, or allows only others, is 403.
sub guest_denied {
    my ($file) = @_;
    open(my $fh, '<', $file) or die "$file: $!";
    my $text = do { local $/; <$fh> };
    my %set;
    while ($text =~ /^(?:\t|   )+\* Set ((?:ALLOW|DENY)TOPICVIEW) *= *(.*)$/mg) { $set{$1} = $2 }
    while ($text =~ /^%META:PREFERENCE\{name="((?:ALLOW|DENY)TOPICVIEW)".*value="([^"]*)"/mg) {
        $set{$1} = $2;
    }
    return 1 if ($set{DENYTOPICVIEW} // '') =~ /\bWikiGuest\b/;
    my $allow = $set{ALLOWTOPICVIEW} // '';
    return $allow =~ /\S/ && $allow !~ /(^|[\s,.])(\*|WikiGuest)(\s|,|$)/;
}

my %counts;
for my $web (qw(System Main Sandbox TestCases)) {
    my @files = sort glob("$root/data/$web/*.txt"), sort glob("$root/data/$web/*/*.txt");
    ok(@files > 0, "$web has topics");
    for my $file (@files) {
        my ($path) = $file =~ m{/data/(.+)\.txt$};
        my $dir = $path =~ s{/[^/]+$}{}r;
        my $is_web = -f "$root/data/$dir/WebPreferences.txt";
        my $want = !$is_web ? 404 : guest_denied($file) ? 403 : 200;
        $counts{$want}++;
        my $r1 = $follow->get($httpd->url("/foswiki/bin/view/$path"));
        my $r2 = $ua->get($httpd->url("/foswiki/$path"));
        if ($r1->{status} != $want || $r2->{status} != $want) {
            fail("$path: bin/view $r1->{status}, short URL $r2->{status}, want $want");
        } else {
            $counts{ok}++;
        }
    }
}
# The tree has seven System topics closed to guests (by Set lines or by
# META:PREFERENCE), and three TestCases "subwebs" without WebPreferences
# (so, as in Foswiki, not webs).
is($counts{403}, 7, 'seven topics are closed to guests, as in Foswiki');
is($counts{404}, 6, 'the six topics of TestCases folders that are not webs are 404');
ok($counts{200} > 600, "$counts{200} topics answer 200");
is($counts{ok}, $counts{200} + $counts{403} + ($counts{404} // 0), 'every topic answered as expected');
is_deeply([$httpd->crashes], [], 'no worker crashed') or diag $httpd->error_log;
done_testing;
