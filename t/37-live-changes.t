# Each worker process keeps parsed topics in memory; a topic changed on disk
# (by another process, by Foswiki, or by hand) is seen on the next request by
# every worker, whichever way the file was written.
use strict;
use warnings;
use Test::More;
use Time::HiRes qw(sleep);
use Cwiki::Test qw(shipped_site http start_httpd);

my $site = shipped_site();
my $topic = "$site/data/Sandbox/LiveTopic.txt";
sub write_topic {
    my ($text, $in_place) = @_;
    my $content = qq{%META:TOPICINFO{author="x" date="1" format="1.1" version="1"}%\n$text\n};
    if ($in_place) {
        open(my $fh, '+<', $topic) or die;
        print $fh $content;
        close $fh;
    } else {
        open(my $fh, '>', "$topic.new") or die;
        print $fh $content;
        close $fh;
        rename "$topic.new", $topic or die;
    }
    chmod 0644, $topic;
}
write_topic('MARKER-AAAA');
utime(time - 10, time - 10, $topic);

# Several prefork workers, each with its own cache.
my $httpd = start_httpd(root => $site, mpm => 'prefork',
                        extra => "StartServers 4\nMinSpareServers 4\nMaxSpareServers 8\n");
my $url = $httpd->url('/foswiki/Sandbox/LiveTopic?skin=text');
sub all_show {
    my ($want) = @_;
    my $ok = 0;
    for (1 .. 40) {
        my $r = http()->get($url);    # a new connection each time: any worker
        $ok++ if $r->{status} == 200 && $r->{content} =~ /\Q$want\E/;
    }
    return $ok;
}
is(all_show('MARKER-AAAA'), 40, 'every worker shows the topic');

write_topic('MARKER-BBBB');    # a new file renamed over the old one
is(all_show('MARKER-BBBB'), 40, 'a replaced file is seen by every worker at once');

sleep 0.2;
all_show('MARKER-BBBB');       # now old enough to be cached everywhere
write_topic('MARKER-CCCC', 1);  # same size, written in place
is(all_show('MARKER-CCCC'), 40, 'a file rewritten in place is seen by every worker at once');

unlink $topic;
my $gone = grep { http()->get($url)->{status} == 404 } 1 .. 20;
is($gone, 20, 'a removed topic is gone for every worker');
is_deeply([$httpd->crashes], [], 'no worker crashed');
done_testing;
